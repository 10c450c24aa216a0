package occasion_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"shopmail/internal/calendar"
	"shopmail/internal/campaign"
	"shopmail/internal/contact"
	"shopmail/internal/fault"
	"shopmail/internal/occasion"
)

func date(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// book is the defaults with every occasion switched on, and the shipped lunar table.
func book() occasion.Book {
	b := occasion.Book{Occasions: occasion.Defaults(), Lunar: calendar.DefaultLunar()}
	for i := range b.Occasions {
		b.Occasions[i].Enabled = true
	}
	return b
}

func ids(os []occasion.Occasion) []string {
	var out []string
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

func TestDefaultsAreValid(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range occasion.Defaults() {
		if err := o.Validate(); err != nil {
			t.Errorf("%s: %v", o.ID, err)
		}
		if seen[o.ID] {
			t.Errorf("%s twice", o.ID)
		}
		seen[o.ID] = true
		if o.Greets() == o.Enabled {
			t.Errorf("%s: enabled %v; greetings ship off, days of mourning on", o.ID, o.Enabled)
		}
		if o.Name["fa"] == "" {
			t.Errorf("%s has no Persian name", o.ID)
		}
	}
}

// The days of the default calendar, from its rules and the lunar table: birthdays first, and
// two occasions on one day (Eid al-Fitr fell on Nowruz in 2026).
func TestBookOn(t *testing.T) {
	b := book()
	for _, tt := range []struct {
		day         string
		greet, none []string
	}{
		{"2026-03-21", []string{"birthday", "nowruz", "eid-al-fitr"}, nil},
		{"2026-11-27", []string{"birthday", "black-friday"}, nil},
		{"2029-11-23", []string{"birthday", "black-friday"}, nil},
		{"2029-11-30", []string{"birthday"}, nil},
		{"2026-05-10", []string{"birthday", "mothers-day"}, nil},
		{"2025-12-11", []string{"birthday", "mothers-day-ir"}, nil},
		{"2026-12-21", []string{"birthday", "yalda"}, nil},
		{"2027-03-16", []string{"birthday", "chaharshanbe-suri"}, nil}, // the last Tuesday of Esfand 1405
		// 1 Muharram 1448 is 2026-06-16: Tasua and Ashura on the 9th and 10th.
		{"2026-06-24", []string{"birthday"}, []string{"tasua"}},
		{"2026-06-25", []string{"birthday"}, []string{"ashura"}},
	} {
		greet, none, problems := b.On(date(t, tt.day))
		if len(problems) > 0 && tt.day < "2029" { // the table ends in 2027: lunar days after it are refused
			t.Errorf("%s: %v", tt.day, problems)
		}
		if !slices.Equal(ids(greet), tt.greet) || !slices.Equal(ids(none), tt.none) {
			t.Errorf("%s: greet %v, no promotion %v; want %v, %v", tt.day, ids(greet), ids(none), tt.greet, tt.none)
		}
	}
	// Switched off, an occasion is not on any day.
	b.Occasions = slices.DeleteFunc(b.Occasions, func(o occasion.Occasion) bool { return o.ID == "nowruz" })
	if greet, _, _ := b.On(date(t, "2026-03-21")); slices.Contains(ids(greet), "nowruz") {
		t.Error("an occasion not in the book is on its day")
	}
}

// A lunar day past the table is reported, never guessed; the other occasions still are.
func TestBookOnPastTheLunarTable(t *testing.T) {
	b := book()
	_, end := b.Lunar.Range()
	greet, _, problems := b.On(end.AddDays(40))
	if len(problems) == 0 {
		t.Error("no problem reported past the lunar table")
	}
	for _, p := range problems {
		if !errors.Is(p, calendar.ErrOutsideLunarTable) {
			t.Errorf("problem %v", p)
		}
	}
	if !slices.Contains(ids(greet), "birthday") {
		t.Error("the birthday was dropped with the lunar occasions")
	}
}

// A day of mourning is one for Persian-speaking contacts and contacts in Iran, nobody else.
func TestNoPromotionAppliesByLocaleOrCountry(t *testing.T) {
	b := book()
	ashura := date(t, "2026-06-25")
	for _, tt := range []struct {
		locale, country string
		want            bool
	}{
		{"fa-IR", "", true}, {"fa", "DE", true}, {"en", "IR", true}, {"en-US", "US", false}, {"", "", false},
	} {
		if got := b.NoPromotion(ashura, tt.locale, tt.country) != nil; got != tt.want {
			t.Errorf("%q/%q: day off %v, want %v", tt.locale, tt.country, got, tt.want)
		}
	}
	if o := b.NoPromotion(date(t, "2026-06-26"), "fa-IR", "IR"); o != nil {
		t.Errorf("the day after Ashura is %s", o.ID)
	}
}

// 29 February's birthday is greeted on 28 February in a common year, and only then.
func TestBirthday(t *testing.T) {
	leapling := &contact.Contact{Birthday: "2000-02-29"}
	noYear := &contact.Contact{Birthday: "--03-21"}
	for _, tt := range []struct {
		c    *contact.Contact
		day  string
		want bool
	}{
		{leapling, "2027-02-28", true}, {leapling, "2028-02-28", false}, {leapling, "2028-02-29", true},
		{leapling, "2027-03-01", false}, {noYear, "2027-03-21", true}, {noYear, "2027-03-20", false},
		{&contact.Contact{}, "2027-03-21", false},
	} {
		if got := occasion.Birthday(tt.c, date(t, tt.day)); got != tt.want {
			t.Errorf("%q on %s: %v, want %v", tt.c.Birthday, tt.day, got, tt.want)
		}
	}
	if got := occasion.BirthdayDays(date(t, "2027-02-28")); len(got) != 2 || got[1] != [2]int{2, 29} {
		t.Errorf("birthday days of 2027-02-28: %v", got)
	}
	if got := occasion.BirthdayDays(date(t, "2028-02-28")); len(got) != 1 {
		t.Errorf("birthday days of 2028-02-28: %v", got)
	}
}

// The day's card greets each contact for what applies to them: their birthday first, then the
// occasions of their locale, country and segment.
func TestForGreetsWhatAppliesToTheContact(t *testing.T) {
	b := book()
	d := date(t, "2026-03-21")
	greet, _, _ := b.On(d)
	for i := range greet {
		if greet[i].ID == "eid-al-fitr" {
			greet[i].Segment = &campaign.SegmentRef{ID: "seg-vip"}
		}
	}
	c := occasion.Day(d, greet)
	if c.ID != "cmp-greet20260321" || c.Topic != contact.TopicGreetings || !c.RecipientLocalTime || !c.ScheduledAt.Equal(time.Date(2026, 3, 21, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("day campaign %s %s %v %v", c.ID, c.Topic, c.RecipientLocalTime, c.ScheduledAt)
	}
	if err := c.Check(c.ScheduledAt.Add(-time.Hour)); err != nil {
		t.Errorf("the day's campaign does not check: %v", err)
	}
	vip := func(o campaign.CardOccasion, ct *contact.Contact) bool {
		return o.ID != "eid-al-fitr" || ct.ID == "vip"
	}
	for _, tt := range []struct {
		c    contact.Contact
		want []string
	}{
		{contact.Contact{ID: "a", Locale: "fa-IR", Birthday: "1990-03-21"}, []string{"birthday", "nowruz"}},
		{contact.Contact{ID: "vip", Locale: "fa"}, []string{"nowruz", "eid-al-fitr"}},
		{contact.Contact{ID: "b", Locale: "en-US"}, nil},
		{contact.Contact{ID: "c", Locale: "en-US", Birthday: "--03-21"}, []string{"birthday"}},
	} {
		var got []string
		for _, o := range occasion.For(*c.Card, &tt.c, vip) {
			got = append(got, o.ID)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: greeted for %v, want %v", tt.c.ID, got, tt.want)
		}
	}
	if occasion.OnlyBirthdays(*c.Card) {
		t.Error("Nowruz's card is read as birthdays only")
	}
	if bd := occasion.Day(d, greet[:1]); !occasion.OnlyBirthdays(*bd.Card) {
		t.Error("a birthday card is not read from the birthday index")
	}
}

// The earliest send hour of the day's occasions is the card's.
func TestDaySendsAtTheEarliestHour(t *testing.T) {
	seven, ten := 7, 10
	greet := []occasion.Occasion{{ID: "a", Kind: occasion.KindOccasion, SendHour: &ten, Name: map[string]string{"en": "A"}},
		{ID: "b", Kind: occasion.KindOccasion, SendHour: &seven, Name: map[string]string{"en": "B"}}}
	c := occasion.Day(date(t, "2027-01-01"), greet)
	if c.ScheduledAt.Hour() != 7 || c.Card.Occasions[0].Design != campaign.DesignGeneric {
		t.Errorf("scheduled %v, design %q", c.ScheduledAt, c.Card.Occasions[0].Design)
	}
}

func TestDecodeRefusesWhatItCannotSend(t *testing.T) {
	for name, tt := range map[string]struct{ body, field string }{
		"unknown field":              {`{"id":"x","kind":"occasion","name":{"en":"X"},"rule":{"gregorian":{"month":1,"day":1}},"colour":"red"}`, ""},
		"no rule":                    {`{"id":"x","kind":"occasion","name":{"en":"X"}}`, "rule"},
		"two rules":                  {`{"id":"x","kind":"occasion","name":{"en":"X"},"rule":{"gregorian":{"month":1,"day":1},"persian":{"month":1,"day":1}}}`, "rule"},
		"31 Esfand":                  {`{"id":"x","kind":"occasion","name":{"en":"X"},"rule":{"persian":{"month":12,"day":31}}}`, "rule.persian.day"},
		"no English name":            {`{"id":"x","kind":"occasion","name":{"fa":"ایکس"},"rule":{"gregorian":{"month":1,"day":1}}}`, "name.en"},
		"bad id":                     {`{"id":"X Y","kind":"occasion","name":{"en":"X"},"rule":{"gregorian":{"month":1,"day":1}}}`, "id"},
		"hour 24":                    {`{"id":"x","kind":"occasion","name":{"en":"X"},"rule":{"gregorian":{"month":1,"day":1}},"sendHour":24}`, "sendHour"},
		"header break":               {`{"id":"x","kind":"occasion","name":{"en":"X\r\nBcc: a@b.c"},"rule":{"gregorian":{"month":1,"day":1}}}`, "name.en"},
		"offer on a day of mourning": {`{"id":"x","kind":"no-promotion","name":{"en":"X"},"rule":{"lunar":{"month":1,"day":10}},"offer":{"text":{"en":"10% off"},"link":{"label":{"en":"Go"},"url":"https://shop.example"}}}`, "kind"},
		"http link":                  {`{"id":"x","kind":"occasion","name":{"en":"X"},"rule":{"gregorian":{"month":1,"day":1}},"offer":{"text":{"en":"Go"},"link":{"label":{"en":"Go"},"url":"http://shop.example"}}}`, "offer.link.url"},
		"coupon forever":             {`{"id":"x","kind":"occasion","name":{"en":"X"},"rule":{"gregorian":{"month":1,"day":1}},"offer":{"text":{"en":"Go"},"coupon":{"prefix":"GO","validDays":9999}}}`, "offer.coupon.validDays"},
		"country":                    {`{"id":"x","kind":"occasion","name":{"en":"X"},"rule":{"gregorian":{"month":1,"day":1}},"countries":["iran"]}`, "countries[0]"},
	} {
		_, err := occasion.Decode([]byte(tt.body))
		var fe *fault.FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: %v, want a field error", name, err)
			continue
		}
		if _, ok := fe.Fields[tt.field]; !ok {
			t.Errorf("%s: fields %v, want %q", name, fe.Fields, tt.field)
		}
	}
	o, err := occasion.Decode([]byte(`{"id":"shop-day","kind":"occasion","name":{"en":"Our day","fa":"روز ما"},"rule":{"weekday":{"month":11,"weekday":"thursday","nth":4},"offsetDays":1},"enabled":true,"sendHour":8,"offer":{"text":{"en":"Free shipping"},"coupon":{"prefix":"DAY","validDays":7}}}`))
	if err != nil || o.Hour() != 8 || o.Rule.OffsetDays != 1 {
		t.Errorf("a valid occasion: %+v, %v", o, err)
	}
}

func TestMergePatch(t *testing.T) {
	got, err := occasion.MergePatch([]byte(`{"id":"a","enabled":false,"offer":{"text":{"en":"x"}},"sendHour":9}`), []byte(`{"enabled":true,"sendHour":null,"offer":{"text":{"fa":"ی"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(got); s != `{"enabled":true,"id":"a","offer":{"text":{"en":"x","fa":"ی"}}}` {
		t.Errorf("merged %s", s)
	}
	if _, err := occasion.MergePatch([]byte(`{}`), []byte(`[1]`)); err == nil || !strings.Contains(err.Error(), "object") {
		t.Errorf("an array patch: %v", err)
	}
}
