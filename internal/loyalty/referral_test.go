package loyalty_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"shopmail/internal/email/emailtest"
	"shopmail/internal/loyalty"
	"shopmail/internal/thankyou"
)

func withReferrals(s *thankyou.Settings) {
	s.Referrals = loyalty.Referrals{Needed: 4, WeeklyLimit: 5, Prefix: "FRIENDS",
		Offer: map[string]string{"en": "20% off your next order"}, Valid: 60 * 24 * time.Hour}
}

// customer is who places an order in the referral tests.
type customer struct{ id, email, lastName, line1 string }

// buy places a first (or later) order of the customer naming a referral code ("" none).
func (f *fixture) buy(t *testing.T, c customer, orderID, code string, at time.Time) thankyou.Result {
	t.Helper()
	address := ""
	if c.line1 != "" {
		address = fmt.Sprintf(`, "shippingAddress": {"line1": %q, "city": "Portland", "postalCode": "97201", "country": "US"}`, c.line1)
	}
	return f.handle(t, fmt.Sprintf(`{"orderId": %q, "placedAt": %q, "currency": "USD", "total": 20,
		"customer": {"id": %q, "email": %q, "firstName": "Sam", "lastName": %q, "locale": "en-US", "marketingConsent": true},
		"items": [{"sku": "TEA-01", "name": "Green tea", "quantity": 1, "unitPrice": 20}], "referralCode": %q%s}`,
		orderID, at.Format(time.RFC3339), c.id, c.email, c.lastName, code, address))
}

// inbox is the emails sent to an address so far, parsed.
func (f *fixture) inbox(t *testing.T, addr string) []*emailtest.Parsed {
	t.Helper()
	var out []*emailtest.Parsed
	for _, m := range f.outbox.Messages() {
		if p := emailtest.MustParse(t, m.Raw); p.To.Address == addr {
			out = append(out, p)
		}
	}
	return out
}

func TestTheFourthFriendsFirstOrderEarnsTheReferrerAReward(t *testing.T) {
	f := setupWith(t, withReferrals)
	sara := customer{"c-sara", "sara.ahmadi@example.com", "Ahmadi", "1 Leaf Street"}
	f.buy(t, sara, "o-sara", "", start.Add(-30*24*time.Hour))
	c, err := f.store.Contact(context.Background(), "c-sara")
	if err != nil || !strings.HasPrefix(c.ReferralCode, "REF-") {
		t.Fatalf("referral code %q (%v)", c.ReferralCode, err)
	}
	code := c.ReferralCode
	thanks := f.inbox(t, sara.email)[0]
	for _, want := range []string{"Bring your friends", "When 4 friends place their first order with your link, you get 20% off your next order.",
		"https://shop.example?ref=" + code, "Your code: " + code} {
		if !strings.Contains(thanks.Text, want) {
			t.Errorf("the thank-you lacks %q:\n%s", want, thanks.Text)
		}
	}
	if !strings.Contains(thanks.HTML, code) {
		t.Error("the HTML part lacks the referral code")
	}

	// What does not count: her own second order, her own address in another spelling, her
	// household, and a friend who had ordered before.
	old := customer{"c-old", "old@example.com", "Karimi", ""}
	f.buy(t, old, "o-old-1", "", start.Add(-10*24*time.Hour))
	for _, tc := range []struct {
		who    customer
		order  string
		reason string
	}{
		{sara, "o-sara-2", "the referrer's own order"},
		{customer{"c-alias", "SaraAhmadi+friends@Example.com", "X", ""}, "o-alias", "the referrer's email address"},
		{customer{"c-home", "brother@example.com", "ahmadi", "1 leaf street"}, "o-home", "the referrer's last name and address"},
		{old, "o-old-2", "not a new customer"},
	} {
		res := f.buy(t, tc.who, tc.order, code, start)
		if res.Referral.Status != loyalty.Rejected || res.Referral.Reason != tc.reason {
			t.Errorf("%s: %+v, want rejected: %s", tc.order, res.Referral, tc.reason)
		}
	}

	// Four friends, a day apart; the same last name at another address is a friend.
	friends := []customer{
		{"c-f1", "f1@example.com", "Ahmadi", "9 Elm Road"}, {"c-f2", "f2@example.com", "Moradi", ""},
		{"c-f3", "f3@example.com", "Lee", ""}, {"c-f4", "f4@example.com", "Smith", ""},
	}
	before := len(f.inbox(t, sara.email)) // her thank-yous
	for i, fr := range friends {
		res := f.buy(t, fr, "o-f"+fmt.Sprint(i+1), code, start.Add(time.Duration(i)*24*time.Hour))
		if res.Referral.Status != loyalty.Counted {
			t.Errorf("friend %d: %+v", i+1, res.Referral)
		}
		if got := len(f.inbox(t, sara.email)); got != before+map[bool]int{true: 1}[i == 3] {
			t.Errorf("after friend %d Sara has %d emails", i+1, got)
		}
	}
	// The fourth order again, and the third: nothing more.
	f.buy(t, friends[3], "o-f4", code, start.Add(3*24*time.Hour))
	f.buy(t, friends[2], "o-f3", code, start.Add(2*24*time.Hour))
	mails := f.inbox(t, sara.email)
	if len(mails) != before+1 {
		t.Fatalf("Sara has %d emails, want her %d thank-yous and one reward", len(mails), before)
	}
	reward := mails[before]
	if reward.Subject != "Thank you for bringing your friends to Tea House" ||
		!strings.Contains(reward.Text, "4 friends have placed their first order with your link.") ||
		!strings.Contains(reward.Text, "20% off your next order with this code: FRIENDS-") {
		t.Errorf("the reward: %q\n%s", reward.Subject, reward.Text)
	}
	if c, _ := f.store.Contact(context.Background(), "c-sara"); c.Summary.Referrals != 4 {
		t.Errorf("Sara has %d referrals counted, want 4", c.Summary.Referrals)
	}
}

func TestOneReferrerCollectingTooManyInAWeekIsFlaggedForReview(t *testing.T) {
	f := setupWith(t, withReferrals)
	f.buy(t, customer{"c-sara", "sara@example.com", "Ahmadi", ""}, "o-sara", "", start.Add(-time.Hour))
	c, _ := f.store.Contact(context.Background(), "c-sara")
	for i := range 7 {
		res := f.buy(t, customer{fmt.Sprintf("c-%d", i), fmt.Sprintf("p%d@example.com", i), "", ""}, fmt.Sprintf("o-%d", i),
			c.ReferralCode, start.Add(time.Duration(i)*time.Hour))
		want := loyalty.Counted
		if i >= 5 {
			want = loyalty.Flagged
		}
		if res.Referral.Status != want {
			t.Errorf("referral %d in a day: %+v, want %s", i+1, res.Referral, want)
		}
	}
	// A week later the limit has room again.
	if res := f.buy(t, customer{"c-late", "late@example.com", "", ""}, "o-late", c.ReferralCode, start.Add(8*24*time.Hour)); res.Referral.Status != loyalty.Counted {
		t.Errorf("a week later: %+v", res.Referral)
	}
	if c, _ := f.store.Contact(context.Background(), "c-sara"); c.Summary.Referrals != 6 {
		t.Errorf("%d referrals counted, want 6 (5 and 1)", c.Summary.Referrals)
	}
	// An unknown code is nobody's referral.
	if res := f.buy(t, customer{"c-x", "x@example.com", "", ""}, "o-x", "REF-NONE-NONE", start); res.Referral.Status != "" {
		t.Errorf("an unknown code: %+v", res.Referral)
	}
}

func TestEmailAddressesAreComparedAsMailboxes(t *testing.T) {
	for in, want := range map[string]string{
		"Sara.Ahmadi+shop@Gmail.com": "saraahmadi@gmail.com",
		" sara@example.com ":         "sara@example.com",
		"not-an-address":             "not-an-address",
	} {
		if got := loyalty.NormalEmail(in); got != want {
			t.Errorf("NormalEmail(%q) = %q, want %q", in, got, want)
		}
	}
	if loyalty.AddressHash("1 Leaf St.", "", "Portland") != loyalty.AddressHash("1 leaf st", "", "PORTLAND") ||
		loyalty.AddressHash("1 Leaf St", "", "Portland") == loyalty.AddressHash("2 Leaf St", "", "Portland") || loyalty.AddressHash("", "") != "" {
		t.Error("AddressHash does not compare addresses as the referral rules need")
	}
}
