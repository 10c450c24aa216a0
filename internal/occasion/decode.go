package occasion

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"shopmail/internal/ascii"
	"shopmail/internal/campaign"
	"shopmail/internal/email"
	"shopmail/internal/fault"
)

// Limits of an occasion.
const (
	MaxText         = 300 // characters of a name, a message or an offer's text
	MaxCouponPrefix = 12
	MaxValidDays    = 365
	MaxListed       = 20 // locales or countries
)

// Decode reads an occasion as the marketer API takes it, strictly (an unknown field is an
// error), and validates it: every problem at once, as a *fault.FieldError by JSON path.
func Decode(data []byte) (Occasion, error) {
	var o Occasion
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return o, &fault.FieldError{What: "occasion", Fields: map[string]string{"": "not an occasion: " + err.Error()}}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return o, &fault.FieldError{What: "occasion", Fields: map[string]string{"": "one JSON object expected, then nothing"}}
	}
	return o, o.Validate()
}

// ValidID reports whether id may name an occasion: 1-40 of a-z, 0-9 and "-".
func ValidID(id string) bool {
	return ascii.All(id, 1, 40, func(c byte) bool { return ascii.Lower(c) || ascii.Digit(c) || c == '-' })
}

// Validate reports every problem of the occasion at once.
func (o Occasion) Validate() error {
	fe := &fault.FieldError{What: "occasion"}
	if !ValidID(o.ID) {
		fe.Add("id", "must be 1 to 40 of a-z, 0-9 and -")
	}
	switch o.Kind {
	case KindBirthday:
		if o.ID != BirthdayID {
			fe.Add("kind", "there is one birthday occasion, "+BirthdayID)
		}
		if o.Rule != nil {
			fe.Add("rule", "a birthday is each contact's own day: it takes no rule")
		}
	case KindOccasion, KindNoPromotion:
		if o.Rule == nil {
			fe.Add("rule", "is required")
		} else if err := o.Rule.Validate(); err != nil {
			var rfe *fault.FieldError
			if errors.As(err, &rfe) {
				for k, v := range rfe.Fields {
					fe.Add(join("rule", k), v)
				}
			} else {
				fe.Add("rule", err.Error())
			}
		}
	default:
		fe.Add("kind", "must be birthday, occasion or no-promotion")
	}
	texts(fe, "name", o.Name, true)
	texts(fe, "message", o.Message, false)
	if o.SendHour != nil && (*o.SendHour < 0 || *o.SendHour > 23) {
		fe.Add("sendHour", "must be an hour 0 to 23, in the recipient's time zone")
	}
	if o.Design != "" && !slices.Contains(campaign.Designs, o.Design) {
		fe.Add("design", "must be one of "+strings.Join(campaign.Designs, ", "))
	}
	if len(o.Locales) > MaxListed {
		fe.Add("locales", fmt.Sprintf("at most %d", MaxListed))
	}
	for i, l := range o.Locales {
		if !validLocale(l) {
			fe.Add(fmt.Sprintf("locales[%d]", i), "must be a language (fa) or a language and region (fa-IR)")
		}
	}
	if len(o.Countries) > MaxListed {
		fe.Add("countries", fmt.Sprintf("at most %d", MaxListed))
	}
	for i, c := range o.Countries {
		if !ascii.All(c, 2, 2, ascii.Upper) {
			fe.Add(fmt.Sprintf("countries[%d]", i), "must be an ISO 3166 code in capitals, e.g. IR")
		}
	}
	if s := o.Segment; s != nil {
		if (s.ID == "") == (len(s.Rule) == 0) {
			fe.Add("segment", "give a segment id or a rule")
		}
	}
	if o.Kind == KindNoPromotion && (o.Offer != nil || o.Segment != nil || o.Message != nil || o.Design != "") {
		fe.Add("kind", "a day without promotion sends nothing: it takes no offer, segment, message or design")
	}
	if of := o.Offer; of != nil {
		texts(fe, "offer.text", of.Text, true)
		if of.Coupon != nil && of.Link != nil {
			fe.Add("offer", "a coupon or a link, not both")
		}
		if c := of.Coupon; c != nil {
			if !ascii.All(c.Prefix, 1, MaxCouponPrefix, func(b byte) bool { return ascii.Upper(b) || ascii.Digit(b) }) {
				fe.Add("offer.coupon.prefix", fmt.Sprintf("must be 1 to %d of A-Z and 0-9", MaxCouponPrefix))
			}
			if c.ValidDays < 1 || c.ValidDays > MaxValidDays {
				fe.Add("offer.coupon.validDays", fmt.Sprintf("must be 1 to %d", MaxValidDays))
			}
		}
		if l := of.Link; l != nil {
			texts(fe, "offer.link.label", l.Label, true)
			if u, err := url.Parse(l.URL); err != nil || u.Scheme != "https" || u.Host == "" {
				fe.Add("offer.link.url", "must be an absolute https URL")
			}
		}
	}
	return fe.Err()
}

func join(path, key string) string {
	if key == "" {
		return path
	}
	return path + "." + key
}

// texts checks a text by language: keys are language subtags, values one line each.
func texts(fe *fault.FieldError, path string, m map[string]string, required bool) {
	if required && strings.TrimSpace(m["en"]) == "" {
		fe.Add(path+".en", "is required: it is what contacts of other languages read")
	}
	for lang, v := range m {
		p := path + "." + lang
		switch {
		case !ascii.All(lang, 2, 3, ascii.Lower):
			fe.Add(p, "must be a language subtag in lower case, e.g. en or fa")
		case utf8.RuneCountInString(v) > MaxText:
			fe.Add(p, fmt.Sprintf("must be at most %d characters", MaxText))
		default:
			if err := email.CheckText(v); err != nil {
				fe.Add(p, err.Error())
			}
		}
	}
}

// validLocale: "fa" or "fa-IR".
func validLocale(l string) bool {
	lang, region, found := strings.Cut(l, "-")
	return ascii.All(lang, 2, 3, ascii.Lower) && (!found || ascii.All(region, 2, 2, ascii.Upper))
}

// MergePatch applies an RFC 7396 merge patch to an occasion's JSON.
func MergePatch(doc, patch []byte) ([]byte, error) {
	var d, p any
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(patch, &p); err != nil {
		return nil, &fault.FieldError{What: "occasion", Fields: map[string]string{"": "not JSON: " + err.Error()}}
	}
	if _, ok := p.(map[string]any); !ok {
		return nil, &fault.FieldError{What: "occasion", Fields: map[string]string{"": "a merge patch is a JSON object"}}
	}
	return json.Marshal(merge(d, p))
}

func merge(doc, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	dm, ok := doc.(map[string]any)
	if !ok {
		dm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(dm, k)
		} else {
			dm[k] = merge(dm[k], v)
		}
	}
	return dm
}
