package contacts_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"shopmail/internal/contact"
	"shopmail/internal/contacts"
	"shopmail/internal/deliverability"
	"shopmail/internal/dynamo"
	"shopmail/internal/dynamo/dynamotest"
	"shopmail/internal/fault"
	"shopmail/internal/money"
	"shopmail/internal/order"
)

func TestMain(m *testing.M) { dynamotest.Main(m) }

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

type fixture struct {
	svc    *contacts.Service
	st     *dynamo.Marketing
	client *dynamodb.Client
	table  string
}

func newFixture(t *testing.T) fixture {
	client, table := dynamotest.NewTable(t)
	now := func() time.Time { return t0 }
	st := &dynamo.Marketing{Store: dynamo.New(client, table, now)}
	return fixture{svc: &contacts.Service{Store: st, Segments: st, Profiles: st, Pages: st, Now: now}, st: st, client: client, table: table}
}

func input(t *testing.T, js string) contacts.Input {
	t.Helper()
	in, err := contacts.DecodeInput([]byte(js))
	if err != nil {
		t.Fatalf("decode %s: %v", js, err)
	}
	return in
}

func fields(err error) map[string]string {
	var fe *contacts.FieldError
	if errors.As(err, &fe) {
		return fe.Fields
	}
	return nil
}

func TestPutCreatesThenUpdatesAndShowsConsentWithProof(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c, created, err := f.svc.Put(ctx, "c-1", input(t, `{"email": "Sara@Example.com", "firstName": "Sara", "locale": "fa_ir",
		"timezone": "Asia/Tehran", "birthday": "1990-03-21", "country": "ir", "tags": ["VIP", "tea", "vip"],
		"attributes": {"plan": "pro"}, "consent": {"sales": {"given": true, "source": "checkout form", "at": "2026-11-30T10:00:00Z"}}}`))
	if err != nil || !created {
		t.Fatalf("create: %v, created %v", err, created)
	}
	v := contacts.ViewOf(c)
	if v.Email != "Sara@example.com" || v.Locale != "fa-IR" || v.Country != "IR" || fmt.Sprint(v.Tags) != "[tea vip]" || v.Attributes["plan"] != "pro" {
		t.Errorf("view = %+v", v)
	}
	if got := v.Consent["sales"]; !got.Given || got.Source != "checkout form" || !got.At.Equal(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("consent = %+v", got)
	}
	if _, created, err := f.svc.Put(ctx, "c-1", input(t, `{"lastName": "Ahmadi"}`)); err != nil || created {
		t.Fatalf("update: %v, created %v", err, created)
	}
	got, err := f.svc.Get(ctx, "c-1")
	if err != nil || got.LastName != "Ahmadi" || got.FirstName != "Sara" {
		t.Errorf("after update: %+v, %v; want the last name added and the rest kept", got, err)
	}
	if _, err := f.svc.Get(ctx, "c-404"); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("unknown contact: %v", err)
	}
	if _, _, err := f.svc.Put(ctx, "c-1", input(t, `{"id": "c-2"}`)); !errors.Is(err, fault.ErrConflict) {
		t.Errorf("an id in the body unlike the path's: %v", err)
	}
}

func TestBadInputNamesTheFieldAndWritesNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for js, field := range map[string]string{
		`{"nickname": "x"}`:                               "nickname",
		`{"email": 7}`:                                    "email",
		`{"email": "not an address"}`:                     "email",
		`{"email": "a@b.c\r\nBcc: x@y.z"}`:                "email",
		`{"timezone": "Mars/Olympus"}`:                    "timezone",
		`{"locale": "not a tag!"}`:                        "locale",
		`{"country": "XX1"}`:                              "country",
		`{"birthday": "21/03/1990"}`:                      "birthday",
		`{"consent": {"sales": {"given": true}}}`:         "consent.sales.source",
		`{"consent": {"spam": {"given": true}}}`:          "consent.spam",
		`{"consent": {"sales": {"source": "x"}}}`:         "consent.sales.given",
		`{"tags": ["` + strings.Repeat("x", 65) + `"]}`:   "tags[0]",
		`{"email": "a@example.com"} {"email": "b@x.com"}`: "",
		`{"consent": {"news": {"given": true, "source": "form", "at": "2099-01-01T00:00:00Z"}}}`: "consent.news.at",
	} {
		in, err := contacts.DecodeInput([]byte(js))
		if err == nil {
			_, _, err = f.svc.Put(ctx, "c-bad", in)
		}
		if !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%s: %v, want invalid", js, err)
			continue
		}
		if _, ok := fields(err)[field]; !ok {
			t.Errorf("%s: fields %v, want %q named", js, fields(err), field)
		}
	}
	if c, _ := f.st.Contact(ctx, "c-bad"); c.Version != 0 {
		t.Errorf("a contact was written: %+v", c)
	}
}

// The customer's own choice outranks the shop's statement, however new: an import that says
// "consent given" does not undo an unsubscribe.
func TestAnImportNeverOverridesTheCustomersChoice(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, _, err := f.svc.Put(ctx, "c-1", input(t, `{"email": "sara@example.com"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.UpdateContact(ctx, "c-1", func(c *contact.Contact) bool {
		return c.Choose(contact.TopicSales, contact.Preference{On: false, At: t0.Add(-time.Hour), Source: "one-click unsubscribe"})
	}); err != nil {
		t.Fatal(err)
	}
	csv := "id,email,consent.sales,consent.sales.source,consent.sales.at\nc-1,sara@example.com,true,old newsletter list,2026-12-01T09:30:00Z\n"
	res, err := f.svc.Import(ctx, contacts.CSV, []byte(csv))
	if err != nil || len(res.Failed) != 0 {
		t.Fatal(res, err)
	}
	c, _ := f.svc.Get(ctx, "c-1")
	if c.MayMarket(contact.TopicSales) {
		t.Error("the import's consent outranks the customer's unsubscribe")
	}
	rule, _ := contacts.ParseRule([]byte(`{"consent": "sales"}`))
	pv, err := f.svc.Preview(ctx, rule)
	if err != nil || pv.Count != 0 {
		t.Errorf("segment {consent: sales}: %+v, %v; want nobody", pv, err)
	}
}

func TestImportIsIdempotentAndReportsBadRows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	csv := strings.Join([]string{
		"id,email,firstName,locale,tags,consent.sales,consent.sales.source,consent.sales.at,attributes.plan",
		"c-1,sara@example.com,Sara,fa-IR,vip;tea,true,checkout,2026-11-30T10:00:00Z,pro",
		"c-2,not-an-address,Ali,fa,,,,,",
		"c-3,reza@example.com,Reza,en,,true,,,",
		"c-4,mina@example.com,Mina,fa,,,,,free",
		"c-1,sara@example.com,Again,,,,,,",
		",noid@example.com,,,,,,,",
	}, "\n") + "\n"
	res, err := f.svc.Import(ctx, contacts.CSV, []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 2 || res.Updated != 0 || len(res.Failed) != 4 {
		t.Fatalf("first import: %+v", res)
	}
	for i, want := range []struct {
		row int
		has string
	}{{2, "email"}, {3, "consent.sales.source"}, {5, "row 1"}, {6, "id"}} {
		if got := res.Failed[i]; got.Row != want.row || !strings.Contains(got.Error, want.has) {
			t.Errorf("failed[%d] = %+v, want row %d about %q", i, got, want.row, want.has)
		}
	}
	again, err := f.svc.Import(ctx, contacts.CSV, []byte(csv))
	if err != nil || again.Imported != 0 || again.Updated != 0 || again.Unchanged != 2 {
		t.Errorf("second import: %+v, %v; want nothing changed", again, err)
	}
	c, _ := f.svc.Get(ctx, "c-1")
	if c.FirstName != "Sara" || fmt.Sprint(c.Tags) != "[tea vip]" || c.Attributes["plan"] != "pro" || !c.MayMarket("sales") {
		t.Errorf("c-1 = %+v", c)
	}
	nd := `{"id": "c-5", "email": "nd@example.com", "locale": "fa"}` + "\n" + `{"id": "c-6", "nickname": "x"}` + "\n"
	res, err = f.svc.Import(ctx, contacts.NDJSON, []byte(nd))
	if err != nil || res.Imported != 1 || len(res.Failed) != 1 || res.Failed[0].Row != 2 || !strings.Contains(res.Failed[0].Error, "nickname") {
		t.Errorf("ndjson: %+v, %v", res, err)
	}
}

func TestImportRefusesAFileItCannotRead(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for name, tc := range map[string]struct {
		format string
		body   []byte
		want   error
		has    string
	}{
		"wrong header":     {contacts.CSV, []byte("id,e-mail\nc-1,a@example.com\n"), fault.ErrInvalid, `"e-mail"`},
		"no id column":     {contacts.CSV, []byte("email\na@example.com\n"), fault.ErrInvalid, "id column"},
		"byte-order mark":  {contacts.CSV, []byte("\xef\xbb\xbfid,email\nc-1,a@example.com\n"), fault.ErrInvalid, "byte-order mark"},
		"mixed encodings":  {contacts.CSV, []byte("id,firstName\nc-1,Sara\nc-2,Jos\xe9\n"), fault.ErrInvalid, "line 3"},
		"10 MB and 1 byte": {contacts.CSV, append([]byte("id\n"), bytes.Repeat([]byte("x"), contacts.MaxImportBytes-2)...), contacts.ErrTooLarge, "bytes"},
		"another format":   {"application/json", []byte(`[]`), contacts.ErrUnsupported, "text/csv"},
		"empty":            {contacts.CSV, nil, fault.ErrInvalid, "empty"},
	} {
		_, err := f.svc.Import(ctx, tc.format, tc.body)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.has) {
			t.Errorf("%s: %v, want %v naming %q", name, err, tc.want, tc.has)
		}
	}
	if cs, _, _ := f.st.ContactsPage(ctx, "", 10); len(cs) != 0 {
		t.Errorf("%d contacts written by refused imports", len(cs))
	}
}

func TestListingPagesThroughEveryContact(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("id,email\n")
	for i := range 57 {
		fmt.Fprintf(&b, "c-%02d,c%d@example.com\n", i, i)
	}
	if res, err := f.svc.Import(ctx, contacts.CSV, []byte(b.String())); err != nil || res.Imported != 57 {
		t.Fatal(res, err)
	}
	seen := map[string]bool{}
	cursor := ""
	for pages := 0; ; pages++ {
		items, next, err := f.svc.List(ctx, cursor, 10)
		if err != nil || pages > 20 {
			t.Fatal(err, pages)
		}
		for _, v := range items {
			if seen[v.ID] {
				t.Fatalf("%s listed twice", v.ID)
			}
			seen[v.ID] = true
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if len(seen) != 57 {
		t.Errorf("%d contacts listed, want 57", len(seen))
	}
	if _, _, err := f.svc.List(ctx, "garbage", 10); !errors.Is(err, fault.ErrInvalid) {
		t.Errorf("a forged cursor: %v", err)
	}
}

func placed(id string, at time.Time, total, currency string, items ...order.Item) order.Order {
	return order.Order{ID: id, PlacedAt: at, Currency: currency, Total: money.MustParse(total), Items: items}
}

// profiles builds the contacts every segment condition is tried on.
func profiles(t *testing.T, f fixture) {
	t.Helper()
	ctx := context.Background()
	csv := strings.Join([]string{
		"id,email,locale,country,timezone,tags,consent.sales,consent.sales.source,consent.sales.at,attributes.plan",
		"fa-buyer,a@example.com,fa-IR,IR,Asia/Tehran,vip,true,checkout,2026-11-01T00:00:00Z,pro",
		"fa-af,b@example.com,fa-AF,AF,Asia/Kabul,,false,checkout,2026-11-01T00:00:00Z,",
		"en-new,c@example.com,en-GB,GB,Europe/London,tea,,,,free",
		"nobody,d@example.com,,,,,,,,",
	}, "\n")
	if res, err := f.svc.Import(ctx, contacts.CSV, []byte(csv)); err != nil || res.Imported != 4 {
		t.Fatal(res, err)
	}
	update := func(id string, fn func(c *contact.Contact)) {
		if _, err := f.st.UpdateContact(ctx, id, func(c *contact.Contact) bool { fn(c); return true }); err != nil {
			t.Fatal(err)
		}
	}
	tea := order.Item{SKU: "T-100", Category: "Tea", Quantity: 1}
	cup := order.Item{SKU: "C-1", Category: "cups", Quantity: 1}
	update("fa-buyer", func(c *contact.Contact) {
		c.CountOrder(placed("o-1", t0.AddDate(0, 0, -200), "40.00", "USD", cup))
		c.CountOrder(placed("o-2", t0.AddDate(0, 0, -10), "70.00", "USD", tea))
		c.CountOrder(placed("o-2", t0.AddDate(0, 0, -10), "70.00", "USD", tea)) // replayed: counts once
		c.EngagedAt = t0.AddDate(0, 0, -3)
		c.CountDelivery(t0.AddDate(0, 0, -2), t0)
		c.CountDelivery(t0.AddDate(0, 0, -1), t0)
		c.CountAnswer("nps", 10, t0.AddDate(0, 0, -5))
	})
	update("fa-af", func(c *contact.Contact) {
		c.CountOrder(placed("o-3", t0.AddDate(0, 0, -100), "20.00", "EUR", tea))
		c.EngagedAt = t0.AddDate(0, 0, -60)
		c.CountAnswer("nps", 3, t0.AddDate(0, 0, -90))
		c.CountAnswer("csat", 2, t0.AddDate(0, 0, -80))
		c.Summary.Suppressed = deliverability.ReasonComplaint
	})
	update("en-new", func(c *contact.Contact) {
		c.CountOrder(placed("o-4", t0.AddDate(0, 0, -5), "15.00", "USD", cup))
		c.CountAnswer("csat", 5, t0.AddDate(0, 0, -4))
	})
}

// Every condition, and all/any/not, evaluated against profiles read from DynamoDB Local.
func TestEverySegmentConditionAgainstTheTable(t *testing.T) {
	f := newFixture(t)
	profiles(t, f)
	ctx := context.Background()
	for rule, want := range map[string]string{
		`{"consent": "sales"}`:                                            "fa-buyer",
		`{"suppressed": true}`:                                            "fa-af",
		`{"suppressed": false}`:                                           "en-new fa-buyer nobody",
		`{"locale": "fa"}`:                                                "fa-af fa-buyer",
		`{"locale": "fa-IR"}`:                                             "fa-buyer",
		`{"country": "gb"}`:                                               "en-new",
		`{"timezone": "Asia/Kabul"}`:                                      "fa-af",
		`{"tag": "VIP"}`:                                                  "fa-buyer",
		`{"attribute": {"name": "plan", "equals": "free"}}`:               "en-new",
		`{"attribute": {"name": "plan", "exists": true}}`:                 "en-new fa-buyer",
		`{"orders": {"min": 2}}`:                                          "fa-buyer",
		`{"orders": {"max": 0}}`:                                          "nobody",
		`{"spent": {"currency": "USD", "min": "100.00"}}`:                 "fa-buyer",
		`{"spent": {"currency": "EUR", "min": "0.01"}}`:                   "fa-af",
		`{"firstOrder": {"withinDays": 30}}`:                              "en-new",
		`{"firstOrder": {"after": "2026-01-01", "before": "2026-06-01"}}`: "fa-buyer",
		`{"lastOrder": {"withinDays": 30}}`:                               "en-new fa-buyer",
		`{"ordered": {"category": "tea", "withinDays": 90}}`:              "fa-buyer",
		`{"ordered": {"category": "tea"}}`:                                "fa-af fa-buyer",
		`{"ordered": {"sku": "C-1", "withinDays": 30}}`:                   "en-new",
		`{"engaged": {"withinDays": 30}}`:                                 "fa-buyer",
		`{"received": {"withinDays": 7, "min": 2}}`:                       "fa-buyer",
		`{"nps": "promoter"}`:                                             "fa-buyer",
		`{"nps": "detractor"}`:                                            "fa-af",
		`{"csat": {"min": 4}}`:                                            "en-new",
		`{"answered": {"withinDays": 60}}`:                                "en-new fa-buyer",
		`{"all": [{"locale": "fa"}, {"consent": "sales"}, {"ordered": {"category": "tea", "withinDays": 90}}]}`: "fa-buyer",
		`{"any": [{"country": "GB"}, {"nps": "detractor"}]}`:                                                    "en-new fa-af",
		`{"not": {"orders": {"min": 1}}}`:                                                                       "nobody",
	} {
		r, err := contacts.ParseRule([]byte(rule))
		if err != nil {
			t.Errorf("%s: %v", rule, err)
			continue
		}
		var got []string
		if err := f.svc.Audience(ctx, r, func(c *contact.Contact) bool { got = append(got, c.ID); return true }); err != nil {
			t.Fatal(err)
		}
		if s := strings.Join(sorted(got), " "); s != want {
			t.Errorf("%s: %q, want %q", rule, s, want)
		}
	}
}

func sorted(s []string) []string {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s
}

func TestSegmentsAreStoredAndPreviewed(t *testing.T) {
	f := newFixture(t)
	profiles(t, f)
	ctx := context.Background()
	sg, err := f.svc.CreateSegment(ctx, contacts.SegmentInput{Name: "Persian speakers", Rule: []byte(`{"locale": "fa"}`)})
	if err != nil || !strings.HasPrefix(sg.ID, "seg-") {
		t.Fatal(sg, err)
	}
	pv, err := f.svc.PreviewSegment(ctx, sg.ID)
	if err != nil || pv.Count != 2 || len(pv.Sample) != 2 || !pv.Exact {
		t.Errorf("preview: %+v, %v", pv, err)
	}
	if _, err := f.svc.UpdateSegment(ctx, sg.ID, contacts.SegmentInput{Name: "Iran", Rule: []byte(`{"country": "IR"}`)}); err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.GetSegment(ctx, sg.ID)
	if got.Name != "Iran" || string(got.Rule) != `{"country":"IR"}` || !got.CreatedAt.Equal(sg.CreatedAt) {
		t.Errorf("after update: %+v (%s)", got, got.Rule)
	}
	list, _, err := f.svc.ListSegments(ctx, "", 10)
	if err != nil || len(list) != 1 {
		t.Errorf("list: %+v, %v", list, err)
	}
	_, err = f.svc.CreateSegment(ctx, contacts.SegmentInput{Name: "bad", Rule: []byte(`{"all": [{"orders": {"mni": 1}}]}`)})
	if _, ok := fields(err)["rule.all[0].orders"]; !ok {
		t.Errorf("a bad rule: %v (fields %v), want rule.all[0].orders named", err, fields(err))
	}
	if err := f.svc.DeleteSegment(ctx, sg.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetSegment(ctx, sg.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := f.svc.DeleteSegment(ctx, sg.ID); !errors.Is(err, fault.ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
}

// An imported address that is suppressed (a complaint, written in another case) is marked so
// on the profile: segments see it.
func TestAnImportedSuppressedAddressIsMarked(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.st.Suppress(ctx, deliverability.Suppression{Address: "sara@example.com", Reason: deliverability.ReasonComplaint, At: t0}); err != nil {
		t.Fatal(err)
	}
	if res, err := f.svc.Import(ctx, contacts.CSV, []byte("id,email\nc-1,Sara@Example.com\nc-2,ali@example.com\n")); err != nil || res.Imported != 2 {
		t.Fatal(res, err)
	}
	rule, _ := contacts.ParseRule([]byte(`{"suppressed": true}`))
	pv, err := f.svc.Preview(ctx, rule)
	if err != nil || pv.Count != 1 || pv.Sample[0].ID != "c-1" {
		t.Errorf("suppressed contacts: %+v, %v; want c-1 alone", pv, err)
	}
}
