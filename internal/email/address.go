package email

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits of RFC 5321 section 4.5.3.1: a path is at most 256 bytes with its angle brackets.
const (
	maxAddressLen = 254
	maxLocalLen   = 64
	maxLabelLen   = 63
)

// addressSpecials are the characters that an unquoted address (RFC 5322 dot-atom local part,
// domain name) cannot contain besides '.' and '@', with what their presence means.
var addressSpecials = map[byte]string{
	' ':  "contains white space; give the bare address without a display name",
	'\t': "contains white space; give the bare address without a display name",
	'<':  "has angle brackets; give the bare address without a display name",
	'>':  "has angle brackets; give the bare address without a display name",
	',':  "has a comma; give exactly one address",
	';':  "has a semicolon; groups and lists of addresses are not accepted",
	':':  "has a colon; groups are not accepted",
	'(':  "has a parenthesis; comments are not accepted",
	')':  "has a parenthesis; comments are not accepted",
	'"':  "has a double quote; quoted local parts are not accepted",
	'\\': "has a backslash; quoted local parts and escapes are not accepted",
	'[':  "has a square bracket; IP-literal domains are not accepted",
	']':  "has a square bracket; IP-literal domains are not accepted",
}

// ParseAddress validates one bare email address such as "sara@Example.com" and returns it
// with its domain in lower-case ASCII ("sara@example.com"; an international domain in its
// ASCII form: "sara@müller.de" is "sara@xn--mller-kva.de", which SES v2 requires); the local
// part is kept as it is. It is deliberately stricter than RFC 5322: it rejects display names,
// angle brackets, groups, lists, comments, quoted local parts, IP-literal domains, control
// characters, a non-ASCII local part (it needs SMTPUTF8, which SES does not offer: see
// ParseRecipient), domains without a dot, all-numeric top-level domains, addresses over 254
// bytes and local parts over 64. The error wraps ErrInvalid and says why.
func ParseAddress(s string) (string, error) {
	addr, err := ParseRecipient(s)
	if err == nil {
		err = Sendable(addr)
	}
	if err != nil {
		return "", err
	}
	return addr, nil
}

// ParseRecipient is ParseAddress for a customer's address, which is kept even when SES cannot
// send to it: a local part that is not ASCII ("سارا@example.com") is accepted, so that the
// order and the contact are recorded; Sendable then says why no email can go to it.
func ParseRecipient(s string) (string, error) { return parseAddress("address", s) }

// Sendable returns nil when SES can send to addr (as ParseRecipient returned it), else why not:
// a local part that is not ASCII needs SMTPUTF8, which SES does not support.
func Sendable(addr string) error {
	if hasNonASCII(addr) {
		return fieldError("address", errors.New("has a non-ASCII local part; it needs SMTPUTF8, which SES does not support"))
	}
	return nil
}

func parseAddress(field, s string) (string, error) {
	addr, err := normalizeAddress(s)
	if err != nil {
		return "", fieldError(field, err)
	}
	return addr, nil
}

func normalizeAddress(s string) (string, error) {
	if s == "" {
		return "", errors.New("is empty")
	}
	if err := CheckText(s); err != nil {
		return "", err
	}
	if len(s) > maxAddressLen {
		return "", fmt.Errorf("is %d bytes long; at most %d are allowed", len(s), maxAddressLen)
	}
	for i := 0; i < len(s); i++ {
		if why, ok := addressSpecials[s[i]]; ok {
			return "", errors.New(why)
		}
	}
	local, domain, ok := strings.Cut(s, "@")
	switch {
	case !ok:
		return "", errors.New("has no @")
	case strings.Contains(domain, "@"):
		return "", errors.New("has more than one @")
	}
	if err := checkLocal(local); err != nil {
		return "", err
	}
	domain, err := asciiDomain(domain)
	if err != nil {
		return "", err
	}
	if err := checkDomain(domain); err != nil {
		return "", err
	}
	addr := local + "@" + strings.ToLower(domain)
	if len(addr) > maxAddressLen {
		return "", fmt.Errorf("is %d bytes long in ASCII; at most %d are allowed", len(addr), maxAddressLen)
	}
	return addr, nil
}

func hasNonASCII(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }) >= 0
}

// checkLocal checks the part before the @. Its characters are already known to be printable
// and not specials, which leaves RFC 5322 atext (RFC 6532's UTF-8 too) and dots: only the
// dots' places and the UTF-8 remain to be checked.
func checkLocal(local string) error {
	switch {
	case !utf8.ValidString(local):
		return errors.New("is not valid UTF-8")
	case local == "":
		return errors.New("has nothing before the @")
	case len(local) > maxLocalLen:
		return fmt.Errorf("has a local part of %d bytes; at most %d are allowed", len(local), maxLocalLen)
	case local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, ".."):
		return errors.New("has a local part that starts or ends with a dot or has two dots in a row")
	}
	return nil
}

// checkDomain accepts a domain name of two or more labels of letters, digits and inner
// hyphens, whose top-level label is not all digits (which would make it an IP address).
func checkDomain(domain string) error {
	if domain == "" {
		return errors.New("has nothing after the @")
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return fmt.Errorf("has the domain %q, which has no dot; a domain such as example.com is needed", domain)
	}
	for _, l := range labels {
		if err := checkLabel(l); err != nil {
			return err
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return errors.New("has an all-numeric top-level domain; IP addresses are not accepted")
	}
	return nil
}

func checkLabel(l string) error {
	switch {
	case l == "":
		return errors.New("has an empty domain label (a leading, trailing or double dot)")
	case len(l) > maxLabelLen:
		return fmt.Errorf("has a domain label of %d bytes; at most %d are allowed", len(l), maxLabelLen)
	case l[0] == '-' || l[len(l)-1] == '-':
		return fmt.Errorf("has the domain label %q, which starts or ends with a hyphen", l)
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; !isLetterOrDigit(c) && c != '-' {
			return fmt.Errorf("has %q in its domain; only letters, digits, hyphens and dots are allowed", c)
		}
	}
	return nil
}

func isLetterOrDigit(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
