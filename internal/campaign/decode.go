package campaign

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"time"

	"shopmail/internal/contact"
	"shopmail/internal/money"
)

// Decode reads a campaign as the marketer API takes it (POST /campaigns, PUT
// /campaigns/{id}), strictly: an unknown field, a field the server sets (id, status, ...), a
// value of the wrong type or anything after the object is an error naming its JSON path, and
// every such problem is reported at once, as a *FieldError. A null is a field left out. The
// topic defaults to contact.TopicSales. Decode checks the shape only; Check says whether the
// campaign may be sent.
func Decode(data []byte) (Campaign, error) {
	var c Campaign
	d := &decoder{fe: FieldError{What: "campaign"}}
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			d.fe.Add("", fmt.Sprintf("not JSON (at byte %d): %v", syntax.Offset, syntax))
		} else {
			d.fe.Add("", "not JSON: "+err.Error())
		}
		return c, d.fe.Err()
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		d.fe.Add("", "one JSON object expected, then nothing")
		return c, d.fe.Err()
	}
	if isNull(raw) {
		d.fe.Add("", "must be an object")
		return c, d.fe.Err()
	}
	d.campaign("", raw, &c)
	if c.Topic == "" {
		c.Topic = contact.TopicSales
	}
	return c, d.fe.Err()
}

// decoder reads the campaign field by field, collecting problems by JSON path. It walks
// json.RawMessage objects rather than using DisallowUnknownFields, whose error names the
// unknown field but not where it is.
type decoder struct{ fe FieldError }

// fields maps the names an object may have to what reads each value.
type fields map[string]func(path string, raw json.RawMessage)

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// object reads a JSON object: each known field with its reader (a null one is left out), each
// unknown one reported.
func (d *decoder) object(path string, raw json.RawMessage, f fields) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		d.fe.Add(path, "must be an object")
		return
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		read, ok := f[k]
		switch {
		case !ok:
			d.fe.Add(join(path, k), "unknown field")
		case !isNull(m[k]):
			read(join(path, k), m[k])
		}
	}
}

// serverFields are the campaign's fields the server sets: an input that carries one is
// refused, so that nobody believes a PUT changed a status.
var serverFields = []string{"id", "status", "blockedReason", "createdAt", "updatedAt", "scheduledAt", "recipientLocalTime", "startedAt", "completedAt"}

func (d *decoder) campaign(path string, raw json.RawMessage, c *Campaign) {
	f := fields{
		"name":  d.str(&c.Name),
		"topic": d.str(&c.Topic),
		"segment": func(p string, raw json.RawMessage) {
			d.object(p, raw, fields{
				"id":   d.str(&c.Segment.ID),
				"rule": func(_ string, raw json.RawMessage) { c.Segment.Rule = slices.Clone(raw) },
			})
		},
		"content": d.contents(&c.Content),
		"sale": func(p string, raw json.RawMessage) {
			c.Sale = &Sale{}
			d.sale(p, raw, c.Sale)
		},
		"cta": func(p string, raw json.RawMessage) {
			c.CTA = &CTA{}
			d.object(p, raw, fields{"label": d.texts(&c.CTA.Label), "url": d.str(&c.CTA.URL)})
		},
		"variants": func(p string, raw json.RawMessage) {
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil {
				d.fe.Add(p, "must be an array of variants")
				return
			}
			c.Variants = make([]Variant, len(list))
			for i, raw := range list {
				v := &c.Variants[i]
				d.object(index(p, i), raw, fields{"subject": d.texts(&v.Subject), "content": d.contents(&v.Content)})
			}
		},
		"variantTest": func(p string, raw json.RawMessage) {
			c.VariantTest = &VariantTest{}
			d.object(p, raw, fields{"percent": d.integer(&c.VariantTest.Percent), "waitHours": d.integer(&c.VariantTest.WaitHours)})
		},
		"holdoutPercent": d.integer(&c.HoldoutPercent),
		"reminder": func(p string, raw json.RawMessage) {
			c.Reminder = &Reminder{}
			d.object(p, raw, fields{"when": d.str(&c.Reminder.When), "subject": d.texts(&c.Reminder.Subject)})
		},
		// A card is written by the occasion sweep (the API refuses one): it is read whole.
		"card": func(p string, raw json.RawMessage) {
			c.Card = &Card{}
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(c.Card); err != nil {
				d.fe.Add(p, "not a card: "+err.Error())
			}
		},
	}
	for _, k := range serverFields {
		f[k] = func(p string, _ json.RawMessage) { d.fe.Add(p, "is set by the server, not by the request") }
	}
	d.object(path, raw, f)
}

// contents reads content by language.
func (d *decoder) contents(dst *map[string]Content) func(string, json.RawMessage) {
	return func(p string, raw json.RawMessage) {
		*dst = map[string]Content{}
		d.each(p, raw, func(p, lang string, raw json.RawMessage) {
			var v Content
			d.object(p, raw, fields{
				"subject":   d.str(&v.Subject),
				"preheader": d.str(&v.Preheader),
				"headline":  d.str(&v.Headline),
				"body":      d.str(&v.Body),
			})
			(*dst)[lang] = v
		})
	}
}

// integer reads a whole number.
func (d *decoder) integer(dst *int) func(string, json.RawMessage) {
	return func(p string, raw json.RawMessage) {
		if err := json.Unmarshal(raw, dst); err != nil {
			d.fe.Add(p, "must be a whole number")
		}
	}
}

func (d *decoder) sale(path string, raw json.RawMessage, s *Sale) {
	d.object(path, raw, fields{
		"reason":   d.texts(&s.Reason),
		"startsAt": d.time(&s.StartsAt),
		"endsAt":   d.time(&s.EndsAt),
		"products": func(p string, raw json.RawMessage) {
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil {
				d.fe.Add(p, "must be an array of products")
				return
			}
			s.Products = make([]Product, len(list))
			for i, raw := range list {
				d.product(index(p, i), raw, &s.Products[i])
			}
		},
		"coupon": func(p string, raw json.RawMessage) {
			s.Coupon = &Coupon{}
			d.object(p, raw, fields{"code": d.str(&s.Coupon.Code)})
		},
	})
}

func (d *decoder) product(path string, raw json.RawMessage, pr *Product) {
	d.object(path, raw, fields{
		"sku":          d.str(&pr.SKU),
		"name":         d.texts(&pr.Name),
		"url":          d.str(&pr.URL),
		"imageUrl":     d.str(&pr.ImageURL),
		"currency":     d.str(&pr.Currency),
		"regularPrice": d.amount(&pr.RegularPrice),
		"salePrice":    d.amount(&pr.SalePrice),
		"freeGift": func(p string, raw json.RawMessage) {
			pr.FreeGift = &FreeGift{}
			d.object(p, raw, fields{"name": d.texts(&pr.FreeGift.Name), "value": d.amount(&pr.FreeGift.Value)})
		},
	})
}

// each reads an object whose keys are languages, calling read for each value.
func (d *decoder) each(path string, raw json.RawMessage, read func(path, lang string, raw json.RawMessage)) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		d.fe.Add(path, "must be an object by language, e.g. {\"en\": ...}")
		return
	}
	for k, v := range m {
		if !isNull(v) {
			read(join(path, k), k, v)
		}
	}
}

func (d *decoder) str(dst *string) func(string, json.RawMessage) {
	return func(p string, raw json.RawMessage) {
		if err := json.Unmarshal(raw, dst); err != nil {
			d.fe.Add(p, "must be a string")
		}
	}
}

// texts reads a text by language: {"en": "...", "fa": "..."}.
func (d *decoder) texts(dst *map[string]string) func(string, json.RawMessage) {
	return func(p string, raw json.RawMessage) {
		*dst = map[string]string{}
		d.each(p, raw, func(p, lang string, raw json.RawMessage) {
			var s string
			d.str(&s)(p, raw)
			(*dst)[lang] = s
		})
	}
}

func (d *decoder) time(dst *time.Time) func(string, json.RawMessage) {
	return func(p string, raw json.RawMessage) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			d.fe.Add(p, "must be an RFC 3339 time, e.g. \"2026-11-30T10:00:00Z\"")
			return
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			d.fe.Add(p, "must be an RFC 3339 time, e.g. \"2026-11-30T10:00:00Z\"")
			return
		}
		*dst = t
	}
}

// amount reads an amount written as a decimal string ("129.90").
func (d *decoder) amount(dst *money.Decimal) func(string, json.RawMessage) {
	return func(p string, raw json.RawMessage) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			d.fe.Add(p, "must be a decimal string, e.g. \"129.90\"")
			return
		}
		v, err := money.ParseDecimal(s)
		if err != nil {
			d.fe.Add(p, "must be a decimal string, e.g. \"129.90\"")
			return
		}
		*dst = v
	}
}
