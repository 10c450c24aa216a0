package dynamo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/contact"
	"shopmail/internal/fault"
)

type contactItem struct {
	PK, SK           string
	GSI1PK           string `dynamodbav:",omitempty"`
	GSI1SK           string `dynamodbav:",omitempty"`
	Type             string `dynamodbav:"type"`
	ID               string `dynamodbav:"id"`
	Email            string `dynamodbav:"email,omitempty"`
	FirstName        string `dynamodbav:"firstName,omitempty"`
	LastName         string `dynamodbav:"lastName,omitempty"`
	Locale           string `dynamodbav:"locale,omitempty"`
	Timezone         string `dynamodbav:"timezone,omitempty"`
	Birthday         string `dynamodbav:"birthday,omitempty"`
	ConsentMarketing bool   `dynamodbav:"consentMarketing"`
	ConsentAt        string `dynamodbav:"consentAt,omitempty"`
	ConsentSource    string `dynamodbav:"consentSource,omitempty"`
	Suppressed       string `dynamodbav:"suppressed,omitempty"`
	FirstOrderID     string `dynamodbav:"firstOrderId,omitempty"`
	// Observed maps each field to the time (stamp) of the observation its value comes from.
	Observed  map[string]string `dynamodbav:"observed,omitempty"`
	CreatedAt string            `dynamodbav:"createdAt"`
	UpdatedAt string            `dynamodbav:"updatedAt"`
	Version   int64             `dynamodbav:"version"`
}

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
	return nil, fmt.Errorf("put contact %s: %w: too many concurrent updates", id, fault.Conflict)
}

// Contact returns the stored contact with the id, or a new one (Version 0) when none exists.
func (st *Store) Contact(ctx context.Context, id string) (*contact.Contact, error) {
	var it contactItem
	found, err := st.get(ctx, contactPK(id), "#PROFILE", &it)
	if err != nil {
		return nil, fmt.Errorf("get contact %s: %w", id, err)
	}
	if !found {
		return contact.New(id, st.now().UTC()), nil
	}
	c := &contact.Contact{
		ID: it.ID, Email: it.Email, FirstName: it.FirstName, LastName: it.LastName,
		Locale: it.Locale, Timezone: it.Timezone, Birthday: it.Birthday,
		Consent:    contact.Consent{Marketing: it.ConsentMarketing, At: unstamp(it.ConsentAt), Source: it.ConsentSource},
		Suppressed: it.Suppressed, FirstOrderID: it.FirstOrderID,
		Observed:  make(map[string]time.Time, len(it.Observed)),
		CreatedAt: unstamp(it.CreatedAt), Version: it.Version,
	}
	for f, t := range it.Observed {
		c.Observed[f] = unstamp(t)
	}
	return c, nil
}

func (st *Store) putContact(ctx context.Context, c *contact.Contact) error {
	it := contactItem{
		PK: contactPK(c.ID), SK: "#PROFILE", Type: "contact", ID: c.ID,
		Email: c.Email, FirstName: c.FirstName, LastName: c.LastName, Locale: c.Locale,
		Timezone: c.Timezone, Birthday: c.Birthday,
		ConsentMarketing: c.Consent.Marketing, ConsentAt: stamp(c.Consent.At), ConsentSource: c.Consent.Source,
		Suppressed: c.Suppressed, FirstOrderID: c.FirstOrderID,
		Observed:  make(map[string]string, len(c.Observed)),
		CreatedAt: stamp(c.CreatedAt), UpdatedAt: stamp(st.now()), Version: c.Version + 1,
	}
	if c.Email != "" {
		it.GSI1PK, it.GSI1SK = "EMAIL#"+strings.ToLower(c.Email), contactPK(c.ID)
	}
	for f, t := range c.Observed {
		it.Observed[f] = stamp(t)
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return err
	}
	in := &dynamodb.PutItemInput{TableName: &st.table, Item: item}
	if c.Version == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(PK)")
	} else {
		in.ConditionExpression = aws.String("version = :v")
		in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": n(c.Version)}
	}
	_, err = st.db.PutItem(ctx, in)
	return err
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
	for _, item := range res.Items {
		var it contactItem
		if err := attributevalue.UnmarshalMap(item, &it); err != nil {
			return nil, fmt.Errorf("decode contact: %w", err)
		}
		ids = append(ids, it.ID)
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
