package dynamo

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
	"shopmail/internal/campaign/stored"
	"shopmail/internal/send"
)

// A campaign's sending: its run (CAMPAIGN#<id> #RUN, small, so that the senders' counting
// writes cost one unit however long the campaign's content), and the messages held while it is
// paused (CAMPAIGN#<id> HELD#<contact>#<arm>).
func runPK(id string) string { return "CAMPAIGN#" + safe(id) }

const runSK = "#RUN"

// countPrefix starts a run's senders' counter attributes (n_sent, n_skipped:frequency_cap...),
// planSkipPrefix the planner's counts of contacts it left out by reason (s_no_consent...).
const (
	countPrefix    = "n_"
	planSkipPrefix = "s_"
)

// SetCampaignStatus moves a campaign from one of the statuses from to status to, with the
// change's other fields and the events it owes, all or nothing; false when the campaign is in
// none of from (or gone). The version moves too, so that an edit racing the change fails.
func (m *Marketing) SetCampaignStatus(ctx context.Context, id string, from []string, to string, ch stored.Change, evs ...bus.Event) (bool, error) {
	st := m.Store
	set := []string{"#st = :to", "updatedAt = :now", "GSI4PK = :gpk"}
	vals := map[string]types.AttributeValue{":to": s(to), ":one": n(1), ":now": s(stamp(st.now())), ":gpk": s(campaignStatusPK(to))}
	for i, f := range from {
		vals[fmt.Sprintf(":s%d", i)] = s(f)
	}
	names := map[string]string{"#st": "status"}
	add := func(name string, v types.AttributeValue) { // by placeholder: localTime is a reserved word
		set = append(set, "#"+name+" = :"+name)
		names["#"+name], vals[":"+name] = name, v
	}
	if ch.BlockedReason != "" {
		add("blockedReason", s(ch.BlockedReason))
	}
	for name, t := range map[string]time.Time{"scheduledAt": ch.ScheduledAt, "startedAt": ch.StartedAt, "completedAt": ch.CompletedAt} {
		if !t.IsZero() {
			add(name, s(stamp(t)))
		}
	}
	if ch.LocalTime != nil {
		add("localTime", &types.AttributeValueMemberBOOL{Value: *ch.LocalTime})
	}
	slices.Sort(set[3:]) // a stable expression, whatever the map's order
	ok, err := st.commit(ctx, []types.TransactWriteItem{{Update: &types.Update{
		TableName: &st.table, Key: key(campaignsPK, campaignSK(id)),
		UpdateExpression:          aws.String("SET " + strings.Join(set, ", ") + " ADD version :one"),
		ConditionExpression:       aws.String("#st IN (" + placeholders(len(from)) + ")"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
	}}}, evs)
	if err != nil {
		return false, fmt.Errorf("set campaign %s %s: %w", id, to, err)
	}
	return ok, nil
}

func runOf(it item) stored.Run {
	r := stored.Run{ID: it.getStr("id"), Salt: it.getStr("salt"), Phase: it.getStr("phase"), Cursor: it.getStr("cursor"),
		Planned: it.getNum("planned"), PlanDone: it.getBool("planDone"), Settled: it.getNum("settled"),
		Uncertain: it.getNum("uncertain"), Winner: it.getStr("winner"), Choice: it.getStr("choice"),
		CheckedAt: unstamp(it.getStr("checkedAt")), LookAt: unstamp(it.getStr("lookAt")), Looks: it.getNum("looks"), Counts: map[string]int64{}, Skipped: map[string]int64{}}
	for k := range it {
		if name, ok := strings.CutPrefix(k, countPrefix); ok {
			r.Counts[name] = it.getNum(k)
		}
		if reason, ok := strings.CutPrefix(k, planSkipPrefix); ok {
			r.Skipped[reason] = it.getNum(k)
		}
	}
	return r
}

// CampaignRun returns a campaign's run.
func (m *Marketing) CampaignRun(ctx context.Context, id string) (stored.Run, bool, error) {
	it, err := m.get(ctx, runPK(id), runSK)
	if err != nil || it == nil {
		return stored.Run{}, false, err
	}
	return runOf(it), true, nil
}

// StartRun stores a new run unless the campaign has one (a replayed start).
func (m *Marketing) StartRun(ctx context.Context, r stored.Run) error {
	st := m.Store
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table,
		Item: item{}.str("PK", runPK(r.ID)).str("SK", runSK).str("type", "run").str("id", r.ID).str("salt", r.Salt).
			str("phase", r.Phase).num("planned", 0).num("settled", 0).num("uncertain", 0),
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("start run of campaign %s: %w", r.ID, err)
	}
	return nil
}

// AdvancePlan records that the planner put planned more recipients in the queue and moved
// from cursor from to cursor to in phase, with the contacts it skipped by reason; done marks
// every phase planned. It reports false when the run is no longer there (another planner
// advanced it: this one's recipients are in the queue twice, which their claims make harmless,
// and counted once).
func (m *Marketing) AdvancePlan(ctx context.Context, campaignID, phase, from, to string, planned int64, skipped map[string]int64, done bool) (bool, error) {
	st := m.Store
	names := map[string]string{}
	vals := map[string]types.AttributeValue{":phase": s(phase), ":from": s(from), ":to": s(to), ":n": n(planned)}
	adds := []string{"planned :n"}
	for i, reason := range slices.Sorted(maps.Keys(skipped)) {
		names[fmt.Sprintf("#k%d", i)] = planSkipPrefix + reason
		vals[fmt.Sprintf(":k%d", i)] = n(skipped[reason])
		adds = append(adds, fmt.Sprintf("#k%d :k%d", i, i))
	}
	set := "SET #cur = :to"
	names["#cur"] = "cursor"
	if done {
		set += ", planDone = :done"
		vals[":done"] = &types.AttributeValueMemberBOOL{Value: true}
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(runPK(campaignID), runSK),
		UpdateExpression:          aws.String(set + " ADD " + strings.Join(adds, ", ")),
		ConditionExpression:       aws.String("phase = :phase AND (#cur = :from OR (attribute_not_exists(#cur) AND :from = :empty))"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: withEmpty(vals),
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("advance plan of campaign %s: %w", campaignID, err)
	}
	return true, nil
}

func withEmpty(vals map[string]types.AttributeValue) map[string]types.AttributeValue {
	vals[":empty"] = s("")
	return vals
}

// NextPhase moves a run from phase from to phase to, with the test's winner and its numbers.
func (m *Marketing) NextPhase(ctx context.Context, campaignID, from, to, winner, choice string) (bool, error) {
	st := m.Store
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(runPK(campaignID), runSK),
		UpdateExpression:          aws.String("SET phase = :to, #cur = :empty, winner = :w, choice = :c"),
		ConditionExpression:       aws.String("phase = :from"),
		ExpressionAttributeNames:  map[string]string{"#cur": "cursor"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":to": s(to), ":from": s(from), ":empty": s(""), ":w": s(winner), ":c": s(choice)},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("move campaign %s to phase %s: %w", campaignID, to, err)
	}
	return true, nil
}

// CountRun adds the senders' counts to a run ("settled", "uncertain", and counters by name)
// and returns the run as it is after.
func (m *Marketing) CountRun(ctx context.Context, campaignID string, counts map[string]int64) (stored.Run, error) {
	st := m.Store
	names, vals := map[string]string{}, map[string]types.AttributeValue{}
	var adds []string
	for i, k := range slices.Sorted(maps.Keys(counts)) {
		name := countPrefix + k
		if k == "settled" || k == "uncertain" {
			name = k
		}
		names[fmt.Sprintf("#c%d", i)] = name
		vals[fmt.Sprintf(":c%d", i)] = n(counts[k])
		adds = append(adds, fmt.Sprintf("#c%d :c%d", i, i))
	}
	if len(adds) == 0 {
		r, _, err := m.CampaignRun(ctx, campaignID)
		return r, err
	}
	res, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(runPK(campaignID), runSK),
		UpdateExpression: aws.String("ADD " + strings.Join(adds, ", ")), ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals, ReturnValues: types.ReturnValueAllNew,
	})
	if err != nil {
		return stored.Run{}, fmt.Errorf("count run of campaign %s: %w", campaignID, err)
	}
	return runOf(res.Attributes), nil
}

// ClaimRecount takes the right to recount a campaign's sends now, at most once every `every`.
func (m *Marketing) ClaimRecount(ctx context.Context, campaignID string, every time.Duration) (bool, error) {
	st := m.Store
	now := st.now()
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(runPK(campaignID), runSK),
		UpdateExpression:    aws.String("SET checkedAt = :now"),
		ConditionExpression: aws.String("attribute_exists(PK) AND (attribute_not_exists(checkedAt) OR checkedAt <= :before)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": s(stamp(now)), ":before": s(stamp(now.Add(-every))),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim recount of campaign %s: %w", campaignID, err)
	}
	return true, nil
}

// ScheduleLook records that a look at whether the run is done is due at `at`, unless one is
// pending (due later than now): only the caller that recorded it enqueues the look.
func (m *Marketing) ScheduleLook(ctx context.Context, campaignID string, at time.Time) (bool, error) {
	st := m.Store
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(runPK(campaignID), runSK),
		UpdateExpression:    aws.String("SET lookAt = :at ADD looks :one"),
		ConditionExpression: aws.String("attribute_exists(PK) AND (attribute_not_exists(lookAt) OR lookAt <= :now)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":at": s(stamp(at)), ":now": s(stamp(st.now())), ":one": n(1),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("schedule a look at campaign %s: %w", campaignID, err)
	}
	return true, nil
}

// CancelLook forgets the look due at `at` (its message could not be enqueued), so that the
// next caller schedules one.
func (m *Marketing) CancelLook(ctx context.Context, campaignID string, at time.Time) error {
	st := m.Store
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(runPK(campaignID), runSK),
		UpdateExpression: aws.String("REMOVE lookAt"), ConditionExpression: aws.String("lookAt = :at"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": s(stamp(at))},
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("cancel the look at campaign %s: %w", campaignID, err)
	}
	return nil
}

// SetRunCounts replaces a run's counters with exact ones (a recount's, when every send is
// settled: no sender counts any more but a late duplicate's "uncertain").
func (m *Marketing) SetRunCounts(ctx context.Context, campaignID string, settled int64, counts map[string]int64) error {
	st := m.Store
	r, _, err := m.CampaignRun(ctx, campaignID)
	if err != nil {
		return err
	}
	names := map[string]string{"#settled": "settled"}
	vals := map[string]types.AttributeValue{":settled": n(settled), ":zero": n(0)}
	set := []string{"#settled = :settled", "uncertain = :zero"}
	i := 0
	for k := range r.Counts {
		if _, ok := counts[k]; !ok && !strings.HasPrefix(k, "reminder:") {
			counts[k] = 0
		}
	}
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		names[fmt.Sprintf("#c%d", i)] = countPrefix + k
		vals[fmt.Sprintf(":c%d", i)] = n(counts[k])
		set = append(set, fmt.Sprintf("#c%d = :c%d", i, i))
		i++
	}
	_, err = st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(runPK(campaignID), runSK),
		UpdateExpression: aws.String("SET " + strings.Join(set, ", ")), ExpressionAttributeNames: names, ExpressionAttributeValues: vals})
	if err != nil {
		return fmt.Errorf("set counts of campaign %s: %w", campaignID, err)
	}
	return nil
}

// campaignSendIndexes list a campaign's send rows, in contact order: GSI7, which holds what a
// row's status changes and nothing that changes after it (its key, contact, campaign, status
// and reason; not its delivery, opens and clicks), so that only the row's put and settle write
// to it; the times are read from the rows (itemsByKey) by the readers that need them. GSI5 and
// GSI2 hold the rows a table wrote before GSI7 (GSI5 with their times, GSI2 whole), until they
// expire: DynamoDB cannot change an index's projection, so each has its successor. A row is in
// one of them.
var campaignSendIndexes = []string{"GSI7", "GSI5", "GSI2"}

// eachCampaignSendPage calls fn with each page of a campaign's send rows, as q (its table,
// index, key and campaign filled in) reads them, until fn says stop. q's filter may name only
// what GSI7 holds, its projection only what GSI5 does. With rows, GSI7's entries are completed
// by their rows, read whole (a row is under 4 KB: half a read unit, whatever it projects).
func (st *Store) eachCampaignSendPage(ctx context.Context, campaignID string, q dynamodb.QueryInput, rows bool, fn func(items []map[string]types.AttributeValue) (more bool, err error)) error {
	for _, index := range campaignSendIndexes {
		in := q
		in.TableName, in.IndexName = &st.table, aws.String(index)
		in.KeyConditionExpression = aws.String("#pk = :pk")
		in.ExpressionAttributeNames = map[string]string{"#pk": index + "PK"}
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":pk": s(campaignSendsPK(campaignID))}
		maps.Copy(in.ExpressionAttributeValues, q.ExpressionAttributeValues)
		fill := rows && index == campaignSendIndexes[0]
		if fill {
			in.ProjectionExpression = nil
		}
		for p := dynamodb.NewQueryPaginator(st.db, &in); p.HasMorePages(); {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("query sends of campaign %s: %w", campaignID, err)
			}
			items := page.Items
			if fill && len(items) > 0 {
				if items, err = st.itemsByKey(ctx, items); err != nil {
					return fmt.Errorf("read sends of campaign %s: %w", campaignID, err)
				}
			}
			if more, err := fn(items); err != nil || !more {
				return err
			}
		}
	}
	return nil
}

// EachCampaignSend calls fn with each send of a campaign (of all its arms) whose key is key,
// as its index lists it: its key, contact, campaign (arm), status and reason.
func (m *Marketing) EachCampaignSend(ctx context.Context, campaignID, sendKey string, fn func(r send.Record) error) error {
	return m.eachCampaignSend(ctx, campaignID, sendKey, false, func(r send.Record, _ bool) error { return fn(r) })
}

// EachCampaignSendClicked is EachCampaignSend with whether a human clicked in each send, read
// from the rows (half a read unit a row).
func (m *Marketing) EachCampaignSendClicked(ctx context.Context, campaignID, sendKey string, fn func(r send.Record, clicked bool) error) error {
	return m.eachCampaignSend(ctx, campaignID, sendKey, true, fn)
}

func (m *Marketing) eachCampaignSend(ctx context.Context, campaignID, sendKey string, rows bool, fn func(r send.Record, clicked bool) error) error {
	return m.Store.eachCampaignSendPage(ctx, campaignID, dynamodb.QueryInput{
		FilterExpression:          aws.String("sendKey = :key"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":key": s(sendKey)},
	}, rows, func(items []map[string]types.AttributeValue) (bool, error) {
		for _, it := range items {
			_, clicked := it["first_click_human_at"]
			if err := fn(record(it), clicked); err != nil {
				return false, err
			}
		}
		return true, nil
	})
}

// QueueSend puts a failed send back in line (status queued), so that a sender may take it again.
func (m *Marketing) QueueSend(ctx context.Context, contactID, sendKey string) (bool, error) {
	st := m.Store
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.table, Key: key(contactPK(contactID), sendSK(sendKey)),
		UpdateExpression: aws.String("SET #st = :queued"), ConditionExpression: aws.String("#st IN (:failed, :queued)"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":queued": s(string(send.Queued)), ":failed": s(string(send.Failed)),
		},
	})
	if isConditionFailed(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("queue send %s again: %w", sendKey, err)
	}
	return true, nil
}

// Hold keeps messages of a paused campaign (by contact and arm) until it is resumed, on
// condition that the campaign is still paused (at most 99 at once): false when it is not, so
// that no message is held after a resume has put the held ones back.
func (m *Marketing) Hold(ctx context.Context, campaignID string, held map[string]string) (bool, error) {
	st := m.Store
	writes := []types.TransactWriteItem{{ConditionCheck: &types.ConditionCheck{TableName: &st.table,
		Key: key(campaignsPK, campaignSK(campaignID)), ConditionExpression: aws.String("#st = :paused"),
		ExpressionAttributeNames: map[string]string{"#st": "status"}, ExpressionAttributeValues: map[string]types.AttributeValue{":paused": s("paused")}}}}
	for _, k := range slices.Sorted(maps.Keys(held)) {
		writes = append(writes, types.TransactWriteItem{Put: &types.Put{TableName: &st.table,
			Item: item{}.str("PK", runPK(campaignID)).str("SK", "HELD#"+k).str("type", "held").str("body", held[k])}})
	}
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	for i, code := range cancelled(err) {
		if i == 0 && code == "ConditionalCheckFailed" {
			return false, nil
		}
	}
	if err != nil {
		return false, fmt.Errorf("hold messages of campaign %s: %w", campaignID, err)
	}
	return true, nil
}

// HeldMessages lists up to limit messages held for a campaign.
func (m *Marketing) HeldMessages(ctx context.Context, campaignID string, limit int) ([]stored.Held, error) {
	st := m.Store
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{TableName: &st.table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :held)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(runPK(campaignID)), ":held": s("HELD#")},
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, fmt.Errorf("query held messages of campaign %s: %w", campaignID, err)
	}
	out := make([]stored.Held, 0, len(res.Items))
	for _, it := range res.Items {
		out = append(out, stored.Held{Key: item(it).getStr("SK"), Body: item(it).getStr("body")})
	}
	return out, nil
}

// Unhold forgets held messages (put back in the queue).
func (m *Marketing) Unhold(ctx context.Context, campaignID string, held []stored.Held) error {
	st := m.Store
	reqs := make([]types.WriteRequest, 0, len(held))
	for _, h := range held {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(runPK(campaignID), h.Key)}})
	}
	if err := st.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("release held messages of campaign %s: %w", campaignID, err)
	}
	return nil
}

// CampaignHours counts a campaign's sends hour by hour (UTC) from its send rows (the indexes
// list them in contact order, so that the first max are a sample that does not lean on
// time): sent, delivered, first human open and click. read is how many rows were read.
func (m *Marketing) CampaignHours(ctx context.Context, campaignID string, max int) (hours []stored.Hour, read int, err error) {
	byHour := map[time.Time]*stored.Hour{}
	add := func(v string, f func(h *stored.Hour)) {
		t := unstamp(v)
		if t.IsZero() {
			return
		}
		at := t.UTC().Truncate(time.Hour)
		h := byHour[at]
		if h == nil {
			h = &stored.Hour{At: at}
			byHour[at] = h
		}
		f(h)
	}
	err = m.Store.eachCampaignSendPage(ctx, campaignID, dynamodb.QueryInput{
		ProjectionExpression: aws.String("sentAt, deliveredAt, first_open_human_at, first_click_human_at"),
		Limit:                aws.Int32(int32(min(max, 1000))),
	}, true, func(items []map[string]types.AttributeValue) (bool, error) {
		for _, v := range items {
			if read == max {
				return false, nil
			}
			read++
			it := item(v)
			add(it.getStr("sentAt"), func(h *stored.Hour) { h.Sent++ })
			add(it.getStr("deliveredAt"), func(h *stored.Hour) { h.Delivered++ })
			add(it.getStr("first_open_human_at"), func(h *stored.Hour) { h.Opened++ })
			add(it.getStr("first_click_human_at"), func(h *stored.Hour) { h.Clicked++ })
		}
		return read < max, nil
	})
	if err != nil {
		return nil, read, err
	}
	for _, h := range byHour {
		hours = append(hours, *h)
	}
	slices.SortFunc(hours, func(a, b stored.Hour) int { return a.At.Compare(b.At) })
	return hours, read, nil
}
