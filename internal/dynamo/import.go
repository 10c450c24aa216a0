package dynamo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
	"shopmail/internal/contact"
	"shopmail/internal/deliverability"
	"shopmail/internal/preferences"
)

// maxTransactItems is DynamoDB's limit of items in one transaction.
const maxTransactItems = 100

// ChangeContacts is ChangeContact for many contacts at once (an import): it reads them 100 at a
// time (BatchGetItem), runs fn on each, and writes the changed ones with their statements in
// transactions of up to 100 items, each contact conditional on the version it was read at. A
// transaction that fails (a contact changed meanwhile, say by an unsubscribe) is redone contact
// by contact through ChangeContact, so that nothing concurrent is ever overwritten; fn may then
// run more than once for a contact, the last run being the one written. Per-request cost is
// what makes an import of 100,000 rows take seconds rather than minutes: one read and one
// write request per hundred contacts instead of two per contact.
func (m *Marketing) ChangeContacts(ctx context.Context, ids []string, fn func(c *contact.Contact) ([]preferences.Record, []bus.Event, bool)) map[string]error {
	st := m.Store
	errs := map[string]error{}
	for start := 0; start < len(ids); start += 100 {
		chunk := ids[start:min(start+100, len(ids))]
		contacts, err := st.contacts(ctx, chunk)
		if err != nil {
			for _, id := range chunk {
				errs[id] = err
			}
			continue
		}
		var writes []types.TransactWriteItem
		var pending []string
		flush := func() {
			if len(writes) == 0 {
				return
			}
			_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
			if err != nil {
				for _, id := range pending {
					if _, err := st.ChangeContact(ctx, id, fn); err != nil {
						errs[id] = err
					}
				}
			}
			writes, pending = nil, nil
		}
		for _, id := range chunk {
			c := contacts[id]
			records, evs, changed := fn(c)
			if !changed {
				continue
			}
			if len(evs) > 0 {
				// Events go through the outbox of a single change.
				if _, err := st.ChangeContact(ctx, id, fn); err != nil {
					errs[id] = err
				}
				continue
			}
			w := []types.TransactWriteItem{{Put: st.contactPut(c)}}
			for _, r := range records {
				w = append(w, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: consentItem(id, r)}})
			}
			if len(writes)+len(w) > maxTransactItems {
				flush()
			}
			writes, pending = append(writes, w...), append(pending, id)
		}
		flush()
	}
	return errs
}

// Contacts reads up to 100 contacts in one request (new ones, Version 0, for ids not stored).
func (m *Marketing) Contacts(ctx context.Context, ids []string) (map[string]*contact.Contact, error) {
	return m.Store.contacts(ctx, ids)
}

// contacts reads up to 100 contacts (new ones, Version 0, for ids not stored).
func (st *Store) contacts(ctx context.Context, ids []string) (map[string]*contact.Contact, error) {
	out := make(map[string]*contact.Contact, len(ids))
	keys := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		keys[i] = key(contactPK(id), "#PROFILE")
	}
	for attempt := 0; len(keys) > 0; attempt++ {
		if attempt == 8 {
			return nil, fmt.Errorf("batch get contacts: %d keys still unprocessed", len(keys))
		}
		if attempt > 0 {
			sleep(ctx, attempt+2)
		}
		res, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			st.table: {Keys: keys, ConsistentRead: aws.Bool(true)},
		}})
		if err != nil {
			return nil, fmt.Errorf("batch get contacts: %w", err)
		}
		for _, it := range res.Responses[st.table] {
			c := contactOf(it)
			out[c.ID] = c
		}
		keys = res.UnprocessedKeys[st.table].Keys
	}
	for _, id := range ids {
		if out[id] == nil {
			out[id] = contact.New(id, st.now().UTC())
		}
	}
	return out, nil
}

// SuppressionsOf returns why each suppressed address of addresses gets no email, by normalised
// address (deliverability.Normalize; addresses not suppressed are absent), erased contacts' hashed suppressions included, reading 100 keys a
// request.
func (m *Marketing) SuppressionsOf(ctx context.Context, addresses []string) (map[string]string, error) {
	st := m.Store
	hk, err := st.erasureKey(ctx)
	if err != nil {
		return nil, err
	}
	byPK := map[string]string{}
	var keys []map[string]types.AttributeValue
	for _, a := range addresses {
		for _, pk := range []string{addressPK(a), hashedSuppressionPK(addressHash(hk, a))} {
			if _, dup := byPK[pk]; !dup {
				byPK[pk] = deliverability.Normalize(a)
				keys = append(keys, key(pk, "#SUPPRESSED"))
			}
		}
	}
	out := map[string]string{}
	for len(keys) > 0 {
		batch := keys[:min(100, len(keys))]
		keys = keys[len(batch):]
		for attempt := 0; len(batch) > 0; attempt++ {
			if attempt == 8 {
				return nil, fmt.Errorf("batch get suppressions: %d keys still unprocessed", len(batch))
			}
			if attempt > 0 {
				sleep(ctx, attempt+2)
			}
			res, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				st.table: {Keys: batch, ConsistentRead: aws.Bool(true)},
			}})
			if err != nil {
				return nil, fmt.Errorf("batch get suppressions: %w", err)
			}
			for _, it := range res.Responses[st.table] {
				out[byPK[item(it).getStr("PK")]] = item(it).getStr("reason")
			}
			batch = res.UnprocessedKeys[st.table].Keys
		}
	}
	return out, nil
}
