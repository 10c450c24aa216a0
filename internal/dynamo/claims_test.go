package dynamo_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/send"
)

func claimOf(key, token string, expires time.Time) send.Record {
	return send.Record{Key: key, ContactID: "c-1", Kind: "thankyou", Status: send.Sending, Token: token, ClaimedAt: now(), ExpiresAt: expires}
}

// Of many claims of one send at once, exactly one is the claim, and the others see its row.
func TestConcurrentClaimsHaveOneWinner(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	for round := range 5 {
		key := fmt.Sprintf("k#%d", round)
		var wg sync.WaitGroup
		var mu sync.Mutex
		winners, seen := []string{}, map[string]int{}
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				token := fmt.Sprintf("t%d", i)
				ok, existing, err := st.Claim(ctx, claimOf(key, token, now().Add(time.Hour)))
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Errorf("claim %s: %v", token, err)
				}
				if ok {
					winners = append(winners, token)
				} else {
					seen[existing.Token]++
				}
			}()
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: %d claims won (%v), want 1", round, len(winners), winners)
		}
		for token, n := range seen {
			if token != winners[0] {
				t.Errorf("round %d: %d losers saw the send as claimed by %q, not the winner %q", round, n, token, winners[0])
			}
		}
	}
}

// A claim stopped between its claim item and its row (a crash) does not block the send: the
// next claim takes it over, writes the row and sends, and the one after sees that row. Its
// release frees the send again.
func TestAClaimLeftWithoutItsRowIsTakenOver(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	crashed := claimOf("k#1", "crashed", now().Add(time.Hour))
	if err := st.BatchWrite(ctx, []types.WriteRequest{st.SeedClaimItem(crashed, false)}); err != nil {
		t.Fatal(err)
	}
	retry := claimOf("k#1", "retry", now().Add(time.Hour))
	if ok, _, err := st.Claim(ctx, retry); !ok || err != nil {
		t.Fatalf("the retry after a crash between the writes: claimed=%v, %v; want claimed", ok, err)
	}
	if ok, existing, err := st.Claim(ctx, claimOf("k#1", "third", now().Add(time.Hour))); ok || err != nil || existing.Token != "retry" {
		t.Errorf("a third claim: claimed=%v, existing %+v, %v; want the retry's send", ok, existing, err)
	}
	if err := st.Release(ctx, retry); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := st.Claim(ctx, claimOf("k#1", "after", now().Add(time.Hour))); !ok || err != nil {
		t.Errorf("a claim after the release: claimed=%v, %v; want claimed", ok, err)
	}
}

// A claim outlives its row: once the row has expired (a replay a year later), the send is still
// claimed, for claim items of either form.
func TestAClaimOutlivesItsRow(t *testing.T) {
	st := store(t)
	ctx := context.Background()
	expired := claimOf("k#1", "first", now().Add(-time.Minute))
	if ok, _, err := st.Claim(ctx, expired); !ok || err != nil {
		t.Fatal(ok, err)
	}
	ok, existing, err := st.Claim(ctx, claimOf("k#1", "replay", now().Add(time.Hour)))
	if ok || err != nil || existing.Token != "first" || existing.Reason != "claimed before; its record has expired" {
		t.Errorf("a replay after the row expired: claimed=%v, existing %+v, %v; want claimed before", ok, existing, err)
	}
	legacy := claimOf("k#2", "legacy", now().Add(time.Hour))
	if err := st.BatchWrite(ctx, []types.WriteRequest{st.SeedClaimItem(legacy, true)}); err != nil {
		t.Fatal(err)
	}
	if ok, existing, err := st.Claim(ctx, claimOf("k#2", "replay", now().Add(time.Hour))); ok || err != nil || existing.Token != "legacy" {
		t.Errorf("a replay of a send claimed in one transaction, its row gone: claimed=%v, existing %+v, %v; want claimed before", ok, existing, err)
	}
}
