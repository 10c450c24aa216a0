package dynamo_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/dynamo"
)

// Profiles are listed from GSI6 (their keys, then the profiles), and those a table wrote before
// GSI6 existed from GSI3, each once: a profile written again moves from one to the other.
func TestProfilesAreListedFromBothIndexes(t *testing.T) {
	st := store(t)
	m := &dynamo.Marketing{Store: st}
	ctx := context.Background()
	old := contact.New("c-old", time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC))
	old.Email = "old@example.com"
	if err := st.BatchWrite(ctx, []types.WriteRequest{st.SeedLegacyProfile(old)}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 30 {
		id := "c-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		ids = append(ids, id)
		if _, err := st.UpdateContact(ctx, id, func(c *contact.Contact) bool { c.Email = id + "@example.com"; return true }); err != nil {
			t.Fatal(err)
		}
	}
	listed := func() (each, paged []string) {
		t.Helper()
		if err := m.EachProfile(ctx, func(c *contact.Contact) bool { each = append(each, c.ID+" "+c.Email); return true }); err != nil {
			t.Fatal(err)
		}
		for cursor := ""; ; {
			page, next, err := m.ContactsPage(ctx, cursor, 7)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page {
				paged = append(paged, c.ID+" "+c.Email)
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		slices.Sort(each)
		slices.Sort(paged)
		return each, paged
	}
	var want []string
	for _, id := range ids {
		want = append(want, id+" "+id+"@example.com")
	}
	want = append(want, "c-old old@example.com")
	slices.Sort(want)
	each, paged := listed()
	if !slices.Equal(each, want) || !slices.Equal(paged, want) {
		t.Errorf("with a profile in GSI3: EachProfile %q, ContactsPage %q; want %q", each, paged, want)
	}
	if _, err := st.UpdateContact(ctx, "c-old", func(c *contact.Contact) bool { c.Email = "old2@example.com"; return true }); err != nil {
		t.Fatal(err)
	}
	want[slices.Index(want, "c-old old@example.com")] = "c-old old2@example.com"
	if each, paged = listed(); !slices.Equal(each, want) || !slices.Equal(paged, want) {
		t.Errorf("after it was written again: EachProfile %q, ContactsPage %q; want %q", each, paged, want)
	}
}
