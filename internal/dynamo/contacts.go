package dynamo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
	"shopmail/internal/contact"
	"shopmail/internal/fault"
	"shopmail/internal/preferences"
)

func contactPK(id string) string { return "CONTACT#" + safe(id) }

// maxContactAttempts bounds the optimistic-locking loop: each attempt loses only to a writer
// that changed the contact, and a writer that changes nothing does not write.
const maxContactAttempts = 25

// UpdateContact runs fn on the stored contact (or a new one) and writes the result if fn
// reports a change, conditioned on the version read, retrying when another writer won.
func (st *Store) UpdateContact(ctx context.Context, id string, fn func(c *contact.Contact) bool) (*contact.Contact, error) {
	for attempt := 0; attempt < maxContactAttempts; attempt++ {
		c, err := st.Contact(ctx, id)
		if err != nil {
			return nil, err
		}
		if !fn(c) {
			return c, nil
		}
		err = st.putContact(ctx, c)
		if err == nil {
			c.Version++
			return c, nil
		}
		if !isConditionFailed(err) {
			return nil, fmt.Errorf("put contact %s: %w", id, err)
		}
		sleep(ctx, attempt)
	}
	return nil, fmt.Errorf("put contact %s: %w: too many concurrent updates", id, fault.ErrConflict)
}

// Contact returns the stored contact with the id, or a new one (Version 0) when none exists.
func (st *Store) Contact(ctx context.Context, id string) (*contact.Contact, error) {
	it, err := st.get(ctx, contactPK(id), "#PROFILE")
	if err != nil {
		return nil, fmt.Errorf("get contact %s: %w", id, err)
	}
	if it == nil {
		return contact.New(id, st.now().UTC()), nil
	}
	return contactOf(it), nil
}

// contactOf is a stored profile as a contact.
func contactOf(it item) *contact.Contact {
	c := &contact.Contact{
		ID: it.getStr("id"), Email: it.getStr("email"), FirstName: it.getStr("firstName"),
		LastName: it.getStr("lastName"), Locale: it.getStr("locale"), Timezone: it.getStr("timezone"),
		Birthday: it.getStr("birthday"),
		Consent: contact.Consent{
			Marketing: it.getBool("consentMarketing"), At: it.getAt("consentAt"), Source: it.getStr("consentSource"),
		},
		Prefs: prefs(it), EngagedAt: it.getAt("engagedAt"), FirstOrderID: it.getStr("firstOrderId"),
		LastSurveyAt: it.getAt("lastSurveyAt"), LastSurveyOrder: it.getStr("lastSurveyOrder"),
		LastCartReminderAt: it.getAt("lastCartReminderAt"), LastCart: it.getStr("lastCart"),
		MarketingPausedUntil: it.getAt("marketingPausedUntil"),
		CreatedAt:            it.getAt("createdAt"), UpdatedAt: it.getAt("updatedAt"),
		Version: it.getNum("version"), Country: it.getStr("country"), Tags: it.getStrList("tags"),
		Attributes: it.getStrMap("attributes"), TopicConsent: topicConsent(it), Summary: summaryOf(it),
		CampaignClick: contact.CampaignClick{Campaign: it.getStr("clickCampaign"), At: it.getAt("clickAt")},
		ReferralCode:  it.getStr("referralCode"), AddressHash: it.getStr("addressHash"),
		Observed: it.getAtMap("observed"),
	}
	if c.Observed == nil {
		c.Observed = map[string]time.Time{}
	}
	return c
}

// contactPut is the conditional put of a contact: new, or still at the version it was read.
func (st *Store) contactPut(c *contact.Contact) *types.Put {
	it := item{}.str("PK", contactPK(c.ID)).str("SK", "#PROFILE").str("type", "contact").str("id", c.ID).
		str("email", c.Email).str("firstName", c.FirstName).str("lastName", c.LastName).
		str("locale", c.Locale).str("timezone", c.Timezone).str("birthday", c.Birthday).
		boolean("consentMarketing", c.Consent.Marketing).at("consentAt", c.Consent.At).
		str("consentSource", c.Consent.Source).at("engagedAt", c.EngagedAt).
		at("lastSurveyAt", c.LastSurveyAt).str("lastSurveyOrder", c.LastSurveyOrder).
		at("lastCartReminderAt", c.LastCartReminderAt).str("lastCart", c.LastCart).
		at("marketingPausedUntil", c.MarketingPausedUntil).
		str("firstOrderId", c.FirstOrderID).atMap("observed", c.Observed).
		at("createdAt", c.CreatedAt).at("updatedAt", st.now()).num("version", c.Version+1).
		str("country", c.Country).strList("tags", c.Tags).strMap("attributes", c.Attributes).
		str("GSI6PK", profileShardPK(c.ID)).str("GSI6SK", c.ID).
		str("clickCampaign", c.CampaignClick.Campaign).at("clickAt", c.CampaignClick.At).
		str("referralCode", c.ReferralCode).str("addressHash", c.AddressHash)
	putTopicConsent(it, c.TopicConsent)
	putSummary(it, c.Summary)
	if len(c.Prefs) > 0 {
		m := make(map[string]types.AttributeValue, len(c.Prefs))
		for topic, p := range c.Prefs {
			m[topic] = &types.AttributeValueMemberM{Value: item{}.boolean("on", p.On).at("at", p.At).str("source", p.Source)}
		}
		it["prefs"] = &types.AttributeValueMemberM{Value: m}
	}
	if c.Email != "" {
		it.str("GSI1PK", "EMAIL#"+strings.ToLower(c.Email)).str("GSI1SK", contactPK(c.ID))
	}
	if m, d, ok := contact.BirthdayOn(c.Birthday); ok {
		it.str("GSI4PK", birthdayPK(m, d)).str("GSI4SK", c.ID)
	}
	in := &types.Put{TableName: &st.table, Item: it}
	if c.Version == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": n(c.Version)}
	}
	return in
}

func (st *Store) putContact(ctx context.Context, c *contact.Contact) error {
	in := st.contactPut(c)
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: in.TableName, Item: in.Item,
		ConditionExpression: in.ConditionExpression, ExpressionAttributeValues: in.ExpressionAttributeValues})
	return err
}

// ChangeContact is UpdateContact for a change that owes consent statements and events: fn
// changes the contact and returns what the change owes (changed false: nothing to write), and
// the contact, its statements and the events (the outbox) are written in one transaction, so
// that none is ever saved without the others.
func (st *Store) ChangeContact(ctx context.Context, id string, fn func(c *contact.Contact) ([]preferences.Record, []bus.Event, bool)) (*contact.Contact, error) {
	for attempt := 0; attempt < maxContactAttempts; attempt++ {
		c, err := st.Contact(ctx, id)
		if err != nil {
			return nil, err
		}
		records, evs, changed := fn(c)
		if !changed {
			return c, nil
		}
		writes := []types.TransactWriteItem{{Put: st.contactPut(c)}}
		campaign := ""
		for _, r := range records {
			writes = append(writes, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: consentItem(id, r)}})
			if r.Campaign != "" && !r.On {
				campaign = r.Campaign
			}
		}
		if campaign != "" {
			// One unsubscribe for the campaign, however many topics it withdrew, with them.
			writes = append(writes, types.TransactWriteItem{Update: st.statsUpdate(campaign, id, "unsubscribed")})
		}
		done, err := st.commit(ctx, writes, evs)
		if err != nil {
			return nil, fmt.Errorf("put contact %s: %w", id, err)
		}
		if done {
			c.Version++
			return c, nil
		}
		sleep(ctx, attempt)
	}
	return nil, fmt.Errorf("put contact %s: %w: too many concurrent updates", id, fault.ErrConflict)
}

func prefs(it item) map[string]contact.Preference {
	m, ok := it["prefs"].(*types.AttributeValueMemberM)
	if !ok {
		return nil
	}
	out := make(map[string]contact.Preference, len(m.Value))
	for topic, v := range m.Value {
		if p, ok := v.(*types.AttributeValueMemberM); ok {
			pi := item(p.Value)
			out[topic] = contact.Preference{On: pi.getBool("on"), At: pi.getAt("at"), Source: pi.getStr("source")}
		}
	}
	return out
}

// TouchEngagement records a human-confirmed engagement on the contact, unless a later one is
// recorded (hits are counted as they come, so a later one is the newer). A click on a
// campaign's email (campaign set) is also the contact's latest campaign click, which an order
// within the attribution window is credited to (contact.Contact.CreditFor); in the same write,
// since every human click is an engagement. A profile written before times were numbers has
// its engagement as a stamp, which compares with no number: any hit is taken as later.
func (st *Store) TouchEngagement(ctx context.Context, contactID string, at time.Time, campaign string) error {
	set := "SET engagedAt = :at"
	vals := map[string]types.AttributeValue{":at": nanos(at), ":one": n(1), ":stamp": s("S")}
	if campaign != "" {
		set += ", clickCampaign = :c, clickAt = :at"
		vals[":c"] = s(campaign)
	}
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(contactID), "#PROFILE"),
		UpdateExpression:          aws.String(set + " ADD version :one"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND (attribute_not_exists(engagedAt) OR engagedAt < :at OR attribute_type(engagedAt, :stamp))"),
		ExpressionAttributeValues: vals,
	})
	if err != nil && !isConditionFailed(err) {
		return fmt.Errorf("record engagement of contact %s: %w", contactID, err)
	}
	return nil
}

// ContactsByEmail returns the ids of the contacts with the address (a shop may have several
// customer accounts for one address).
func (st *Store) ContactsByEmail(ctx context.Context, address string) ([]string, error) {
	res, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &st.table, IndexName: aws.String("GSI1"),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s("EMAIL#" + strings.ToLower(address))},
	})
	if err != nil {
		return nil, fmt.Errorf("query contacts by email: %w", err)
	}
	ids := make([]string, 0, len(res.Items))
	for _, it := range res.Items {
		ids = append(ids, item(it).getStr("id"))
	}
	return ids, nil
}

// sleep waits a little before a retry: jittered, growing with the attempt, cut short by ctx.
func sleep(ctx context.Context, attempt int) {
	d := time.Duration(rand.Int64N(int64(5*time.Millisecond) << min(attempt, 5)))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

func consentItem(contactID string, r preferences.Record) item {
	return item{}.str("PK", contactPK(contactID)).str("SK", "CONSENT#"+stamp(r.At)+"#"+r.Topic).str("type", "consent").
		str("topic", r.Topic).boolean("on", r.On).str("at", stamp(r.At)).str("source", r.Source).str("campaignId", r.Campaign)
}
