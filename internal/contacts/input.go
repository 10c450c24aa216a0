package contacts

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"

	"shopmail/internal/ascii"
	"shopmail/internal/contact"
	"shopmail/internal/email"
	"shopmail/internal/fault"
	"shopmail/internal/render"
)

// Input is a contact as the marketer API takes it (PUT /contacts/{id}, an import row). A field
// left out keeps what is stored; a field given replaces it ("" clears it).
type Input struct {
	ID         *string                 `json:"id"`
	Email      *string                 `json:"email"`
	FirstName  *string                 `json:"firstName"`
	LastName   *string                 `json:"lastName"`
	Locale     *string                 `json:"locale"`
	Timezone   *string                 `json:"timezone"`
	Birthday   *string                 `json:"birthday"`
	Country    *string                 `json:"country"`
	Tags       *[]string               `json:"tags"`
	Attributes *map[string]string      `json:"attributes"`
	Consent    map[string]ConsentInput `json:"consent"`
}

// ConsentInput is consent to one topic with its proof: source and at are required when given.
type ConsentInput struct {
	Given  *bool      `json:"given"`
	Source string     `json:"source"`
	At     *time.Time `json:"at"`
}

// Limits of one contact's input.
const (
	MaxTags          = 50
	MaxTagLen        = 64
	MaxAttributes    = 50
	MaxAttributeKey  = 64
	MaxAttributeText = 1024
	maxName          = 200
	maxSource        = 200
)

// FieldError is a contact (or a segment) with problems, by JSON path; it wraps
// fault.ErrInvalid.
type FieldError = fault.FieldError

// problems starts a contact's list of problems.
func problems() *FieldError { return &FieldError{What: "contact"} }

// DecodeInput reads one contact object strictly: unknown fields, wrong types, trailing data
// and duplicate-free JSON only.
func DecodeInput(data []byte) (Input, error) {
	var in Input
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return in, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return in, &FieldError{What: "contact", Fields: map[string]string{"": "one JSON object expected, then nothing"}}
	}
	return in, nil
}

// decodeError turns a JSON decoding error into a FieldError naming the field.
func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntax *json.SyntaxError
	var timeErr *time.ParseError
	switch {
	case errors.As(err, &typeErr):
		return &FieldError{What: "contact", Fields: map[string]string{typeErr.Field: "must be " + jsonType(typeErr.Type.String())}}
	case errors.As(err, &syntax):
		return &FieldError{What: "contact", Fields: map[string]string{"": fmt.Sprintf("not JSON (at byte %d): %v", syntax.Offset, syntax)}}
	case errors.As(err, &timeErr):
		return &FieldError{What: "contact", Fields: map[string]string{"": "a time must be RFC 3339, e.g. 2026-11-30T10:00:00Z"}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &FieldError{What: "contact", Fields: map[string]string{name: "unknown field"}}
	}
	return &FieldError{What: "contact", Fields: map[string]string{"": err.Error()}}
}

func jsonType(goType string) string {
	switch {
	case strings.Contains(goType, "map"):
		return "an object of strings"
	case strings.Contains(goType, "[]"):
		return "an array of strings"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.Contains(goType, "Time"):
		return "an RFC 3339 time"
	}
	return "a string"
}

// dateShape reports whether v is `^\d{4}-\d{2}-\d{2}$`, and countryShape whether it is
// `^[A-Za-z]{2}$`: loops rather than regular expressions compiled at every function's start.
func dateShape(v string) bool {
	return len(v) == 10 && v[4] == '-' && v[7] == '-' &&
		ascii.All(v[:4], 4, 4, ascii.Digit) && ascii.All(v[5:7], 2, 2, ascii.Digit) && ascii.All(v[8:], 2, 2, ascii.Digit)
}

func countryShape(v string) bool { return ascii.All(v, 2, 2, ascii.Letter) }

// Apply validates in and applies it to c (observed at now, so that an older order event does
// not overwrite it), and returns the consent statements it makes. It changes nothing when in
// has a problem.
func (in Input) Apply(c *contact.Contact, now time.Time) ([]Statement, error) {
	fe := problems()
	next := *c
	next.Observed = maps.Clone(c.Observed)
	if next.Observed == nil {
		next.Observed = map[string]time.Time{}
	}
	set := func(field string, dst *string, v *string, norm func(string) (string, string)) {
		if v == nil {
			return
		}
		val := strings.TrimSpace(*v)
		if val != "" && norm != nil {
			var problem string
			if val, problem = norm(val); problem != "" {
				fe.Add(field, problem)
				return
			}
		}
		*dst = val
		next.Observed[field] = now
	}
	set(contact.FieldEmail, &next.Email, in.Email, func(v string) (string, string) {
		a, err := email.ParseRecipient(v)
		if err != nil {
			return "", "not an email address"
		}
		return a, ""
	})
	set(contact.FieldFirstName, &next.FirstName, in.FirstName, maxLen(maxName))
	set(contact.FieldLastName, &next.LastName, in.LastName, maxLen(maxName))
	set(contact.FieldLocale, &next.Locale, in.Locale, func(v string) (string, string) {
		tag := render.NormalizeTag(v)
		if _, err := language.Parse(tag); tag == "" || err != nil {
			return "", "not a BCP 47 language tag such as fa-IR"
		}
		return tag, ""
	})
	set(contact.FieldTimezone, &next.Timezone, in.Timezone, func(v string) (string, string) {
		if _, err := time.LoadLocation(v); err != nil || v == "Local" {
			return "", "not an IANA time zone such as Asia/Tehran"
		}
		return v, ""
	})
	set(contact.FieldBirthday, &next.Birthday, in.Birthday, func(v string) (string, string) {
		if _, _, ok := contact.BirthdayOn(v); !ok || !strings.HasPrefix(v, "--") && !dateShape(v) {
			return "", "not a date YYYY-MM-DD, or --MM-DD without the year"
		}
		return v, ""
	})
	set("country", &next.Country, in.Country, func(v string) (string, string) {
		v = strings.ToUpper(v)
		if _, err := language.ParseRegion(v); err != nil || !countryShape(v) {
			return "", "not an ISO 3166 country code such as IR"
		}
		return v, ""
	})
	if in.Tags != nil {
		next.Tags = tags(*in.Tags, fe)
	}
	if in.Attributes != nil {
		next.Attributes = attributes(*in.Attributes, fe)
	}
	statements := consents(in.Consent, &next, now, fe)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	*c = next
	return statements, nil
}

func maxLen(n int) func(string) (string, string) {
	return func(v string) (string, string) {
		if len([]rune(v)) > n {
			return "", fmt.Sprintf("longer than %d characters", n)
		}
		return v, ""
	}
}

func tags(in []string, fe *FieldError) []string {
	if len(in) > MaxTags {
		fe.Add("tags", fmt.Sprintf("more than %d tags", MaxTags))
		return nil
	}
	seen := map[string]bool{}
	var out []string
	for i, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		switch {
		case t == "":
			fe.Add(fmt.Sprintf("tags[%d]", i), "empty")
		case len([]rune(t)) > MaxTagLen:
			fe.Add(fmt.Sprintf("tags[%d]", i), fmt.Sprintf("longer than %d characters", MaxTagLen))
		case !seen[t]:
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return out
}

func attributes(in map[string]string, fe *FieldError) map[string]string {
	if len(in) > MaxAttributes {
		fe.Add("attributes", fmt.Sprintf("more than %d attributes", MaxAttributes))
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		switch {
		case k == "" || len(k) > MaxAttributeKey:
			fe.Add("attributes."+k, fmt.Sprintf("a name must be 1 to %d bytes", MaxAttributeKey))
		case len(v) > MaxAttributeText:
			fe.Add("attributes."+k, fmt.Sprintf("longer than %d bytes", MaxAttributeText))
		case v != "":
			out[k] = v
		}
	}
	return out
}

// Statement is a consent statement the shop made about a topic, kept as proof.
type Statement struct {
	Topic  string
	Given  bool
	At     time.Time
	Source string
}

// consents applies the shop's consent statements per topic. A statement older than the one
// stored changes nothing (an import of an old list cannot undo a newer statement), and none
// outranks the customer's own choice (contact.MayMarket).
func consents(in map[string]ConsentInput, c *contact.Contact, now time.Time, fe *FieldError) []Statement {
	var out []Statement
	for _, topic := range slices.Sorted(maps.Keys(in)) {
		ci, path := in[topic], "consent."+topic
		if !contact.IsTopic(topic) {
			fe.Add(path, "unknown topic (one of "+strings.Join(contact.Topics, ", ")+")")
			continue
		}
		if ci.Given == nil {
			fe.Add(path+".given", "is required")
			continue
		}
		at := now
		if ci.At != nil {
			at = ci.At.UTC()
		}
		source := strings.TrimSpace(ci.Source)
		if *ci.Given {
			if source == "" {
				fe.Add(path+".source", "is required when consent is given: where it was given")
			}
			if ci.At == nil {
				fe.Add(path+".at", "is required when consent is given: when it was given")
			}
		}
		if len(source) > maxSource {
			fe.Add(path+".source", fmt.Sprintf("longer than %d characters", maxSource))
		}
		if at.After(now.Add(5 * time.Minute)) {
			fe.Add(path+".at", "is in the future")
		}
		if source == "" {
			source = "marketer API"
		}
		if old, ok := c.TopicConsent[topic]; ok && !at.After(old.At) {
			continue
		}
		if c.TopicConsent == nil {
			c.TopicConsent = map[string]contact.Consent{}
		} else {
			c.TopicConsent = maps.Clone(c.TopicConsent)
		}
		c.TopicConsent[topic] = contact.Consent{Marketing: *ci.Given, At: at, Source: source}
		out = append(out, Statement{Topic: topic, Given: *ci.Given, At: at, Source: source})
	}
	return out
}
