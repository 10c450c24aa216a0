package dynamo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
	"shopmail/internal/fault"
	"shopmail/internal/survey"
)

const surveySK = "SURVEY"

func monthKey(prefix string, t time.Time) string { return prefix + t.UTC().Format("2006-01") }

func surveyOf(it item) survey.Survey {
	return survey.Survey{
		OrderID: it.getStr("orderId"), ContactID: it.getStr("contactId"), Email: it.getStr("email"),
		FirstName: it.getStr("firstName"), Locale: it.getStr("locale"), Timezone: it.getStr("timezone"),
		Categories: it.getStrList("categories"), PlacedAt: unstamp(it.getStr("placedAt")),
		DeliveredAt: unstamp(it.getStr("deliveredAt")), Status: it.getStr("status"), Reason: it.getStr("reason"),
		SentAt: unstamp(it.getStr("sentAt")),
	}
}

// RecordSurvey stores what sv tells of an order's survey: fields already known are kept (the
// first observation wins), a new survey is pending, a cancelled one stays cancelled.
func (st *Store) RecordSurvey(ctx context.Context, sv survey.Survey) (survey.Survey, error) {
	set := "#st = if_not_exists(#st, :pending), #t = :type, #orderId = :orderId"
	names := map[string]string{"#st": "status", "#t": "type", "#orderId": "orderId"}
	vals := map[string]types.AttributeValue{":pending": s(survey.Pending), ":type": s("survey"), ":orderId": s(sv.OrderID)}
	for name, v := range map[string]string{
		"contactId": sv.ContactID, "email": sv.Email, "firstName": sv.FirstName, "locale": sv.Locale,
		"timezone": sv.Timezone, "placedAt": stamp(sv.PlacedAt), "deliveredAt": stamp(sv.DeliveredAt),
	} {
		if v != "" {
			set += fmt.Sprintf(", #%s = if_not_exists(#%s, :%s)", name, name, name)
			names["#"+name], vals[":"+name] = name, s(v)
		}
	}
	if len(sv.Categories) > 0 {
		set += ", #categories = if_not_exists(#categories, :categories)"
		names["#categories"], vals[":categories"] = "categories", item{}.strList("v", sv.Categories)["v"]
	}
	res, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(orderPK(sv.OrderID), surveySK),
		UpdateExpression:          aws.String("SET " + set),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: vals,
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		return survey.Survey{}, fmt.Errorf("record survey of order %s: %w", sv.OrderID, err)
	}
	return surveyOf(res.Attributes), nil
}

// CancelSurvey marks an order's survey cancelled, sent or not: a survey not sent yet will not
// be, and answers to a sent one are no longer taken. (An order cancelled before it was seen
// placed gets a cancelled survey, which its Order Placed then leaves cancelled.)
func (st *Store) CancelSurvey(ctx context.Context, orderID, reason string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(orderPK(orderID), surveySK),
		UpdateExpression:         aws.String("SET #st = :c, #reason = :r, #orderId = :oid, #t = :type"),
		ExpressionAttributeNames: map[string]string{"#st": "status", "#t": "type", "#reason": "reason", "#orderId": "orderId"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":c": s(survey.Cancelled), ":r": s(reason), ":oid": s(orderID), ":type": s("survey"),
		},
	})
	if err != nil {
		return fmt.Errorf("cancel survey of order %s: %w", orderID, err)
	}
	return nil
}

// MoveDelivery replaces a pending survey's delivery time old with at.
func (st *Store) MoveDelivery(ctx context.Context, orderID string, old, at time.Time) (survey.Survey, bool, error) {
	res, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(orderPK(orderID), surveySK),
		UpdateExpression:         aws.String("SET deliveredAt = :at"),
		ConditionExpression:      aws.String("#st = :pending AND deliveredAt = :old"),
		ExpressionAttributeNames: map[string]string{"#st": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":at": s(stamp(at)), ":old": s(stamp(old)), ":pending": s(survey.Pending),
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	if isConditionFailed(err) {
		return survey.Survey{}, false, nil
	}
	if err != nil {
		return survey.Survey{}, false, fmt.Errorf("move delivery of survey of order %s: %w", orderID, err)
	}
	return surveyOf(res.Attributes), true, nil
}

// Survey returns an order's survey.
func (st *Store) Survey(ctx context.Context, orderID string) (survey.Survey, bool, error) {
	it, err := st.get(ctx, orderPK(orderID), surveySK)
	if err != nil || it == nil {
		return survey.Survey{}, false, err
	}
	return surveyOf(it), true, nil
}

// FinishSurvey records a pending survey as sent (indexed by month, and counted in the day
// items of its day, category and locale, in one transaction) or skipped.
func (st *Store) FinishSurvey(ctx context.Context, sv survey.Survey) error {
	set := "#st = :st, #reason = :r"
	vals := map[string]types.AttributeValue{":st": s(sv.Status), ":r": s(sv.Reason), ":pending": s(survey.Pending)}
	names := map[string]string{"#st": "status", "#reason": "reason"}
	upd := &types.Update{
		TableName: &st.table, Key: key(orderPK(sv.OrderID), surveySK),
		UpdateExpression: aws.String("SET " + set), ConditionExpression: aws.String("#st = :pending"),
		ExpressionAttributeNames: names, ExpressionAttributeValues: vals,
	}
	if sv.Status != survey.Sent {
		_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: upd.TableName, Key: upd.Key,
			UpdateExpression: upd.UpdateExpression, ConditionExpression: upd.ConditionExpression,
			ExpressionAttributeNames: names, ExpressionAttributeValues: vals})
		if err != nil && !isConditionFailed(err) {
			return fmt.Errorf("finish survey of order %s: %w", sv.OrderID, err)
		}
		return nil
	}
	upd.UpdateExpression = aws.String("SET " + set + ", #sentAt = :at, GSI2PK = :gpk, GSI2SK = :gsk")
	names["#sentAt"] = "sentAt"
	vals[":at"], vals[":gpk"], vals[":gsk"] = s(stamp(sv.SentAt)), s(monthKey("SURVEYS#", sv.SentAt)), s(stamp(sv.SentAt)+"#"+safe(sv.OrderID))
	op := "finish survey of order " + sv.OrderID
	return retry(ctx, op, func() error {
		// Counted by the categories and locale it has (results read them from the survey);
		// they are set once (RecordSurvey), so the condition holds them as read.
		it, err := st.get(ctx, orderPK(sv.OrderID), surveySK)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if it == nil || it.getStr("status") != survey.Pending {
			return nil
		}
		cats, locale := it.getStrList("categories"), it.getStr("locale")
		cond := "#st = :pending"
		if len(cats) == 0 {
			cond += " AND attribute_not_exists(categories)"
		}
		if locale == "" {
			cond += " AND attribute_not_exists(locale)"
		}
		upd.ConditionExpression = aws.String(cond)
		change := append([]types.TransactWriteItem{{Update: upd}},
			st.dayUpdates(cats, locale, []survey.Day{{Day: survey.StartOfDay(sv.SentAt), Tally: survey.Tally{Sent: 1}}})...)
		ok, _, err := st.transactDays(ctx, change, nil)
		if err == nil && !ok {
			return errRetry // no longer pending (the next read says so), or it got its categories meanwhile
		}
		return err
	})
}

func answerSK(sendKey, question string) string { return "ANSWER#" + sendKey + "#" + question }

func answerOf(it item) survey.Answer {
	a := survey.Answer{
		ContactID: it.getStr("contactId"), SendKey: it.getStr("sendKey"), OrderID: it.getStr("orderId"),
		Question: it.getStr("question"), Score: int(it.getNum("score")), Comment: it.getStr("comment"),
		Categories: it.getStrList("categories"), Locale: it.getStr("locale"), At: unstamp(it.getStr("firstAt")),
		ContactedAt: unstamp(it.getStr("contactedAt")), ContactedBy: it.getStr("contactedBy"),
	}
	for _, d := range it.getStrList("days") {
		if t, err := time.Parse(time.DateOnly, d); err == nil {
			a.Days = append(a.Days, t)
		}
	}
	return a
}

// SaveAnswer stores an answer, or changes its score when it was first given less than
// window ago. The first answer's time stays the answer's time (its period in the results).
// The survey's answers (ANSWERED#<send key>) and the day items that count them change in the
// same transaction, so that a replayed or refused answer counts nothing, and a changed score
// moves from the old score's counters to the new one's on the day the answer was first given.
func (st *Store) SaveAnswer(ctx context.Context, a survey.Answer, window time.Duration, evs ...bus.Event) (survey.Answer, bool, error) {
	op := fmt.Sprintf("save answer %s/%s", a.SendKey, a.Question)
	var out survey.Answer
	var done bool
	err := retry(ctx, op, func() error {
		it, err := st.get(ctx, contactPK(a.ContactID), answeredSK(a.SendKey))
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		before := answeredOf(it)
		if before.version == 0 {
			before.categories, before.locale = a.Categories, a.Locale
		}
		after := before
		after.answers = slices.Clone(before.answers)
		if i := slices.IndexFunc(after.answers, func(x survey.Answer) bool { return x.Question == a.Question }); i >= 0 {
			after.answers[i].Score = a.Score
		} else {
			after.answers = append(after.answers, survey.Answer{Question: a.Question, Score: a.Score, At: a.At})
		}
		days := after.days()
		change := []types.TransactWriteItem{{Update: st.answerUpdate(a, before.categories, before.locale, days, window)},
			{Put: after.put(st.table, a.ContactID, a.SendKey)}}
		if !slices.Equal(days, before.days()) { // the survey's other answers learn the new day
			for _, x := range before.answers {
				if x.Question != a.Question {
					change = append(change, types.TransactWriteItem{Update: &types.Update{
						TableName: &st.table, Key: key(contactPK(a.ContactID), answerSK(a.SendKey, x.Question)),
						UpdateExpression: aws.String("SET #days = :days"), ConditionExpression: aws.String("attribute_exists(PK)"),
						ExpressionAttributeNames:  map[string]string{"#days": "days"},
						ExpressionAttributeValues: map[string]types.AttributeValue{":days": item{}.strList("v", days)["v"]},
					}})
				}
			}
		}
		change = append(change, st.dayUpdates(before.categories, before.locale, survey.Delta(before.answers, after.answers))...)
		ok, old, err := st.transactDays(ctx, change, evs)
		if err != nil {
			return err
		}
		if !ok {
			out = answerOf(old) // the same score again, too late to change it, or no answer
			return nil
		}
		if it, err = st.get(ctx, contactPK(a.ContactID), answerSK(a.SendKey, a.Question)); err != nil {
			return fmt.Errorf("%s: read it back: %w", op, err)
		}
		out, done = answerOf(it), true
		return nil
	})
	if err != nil {
		return survey.Answer{}, false, fmt.Errorf("%s: %w", op, err)
	}
	return out, done, nil
}

// answerUpdate stores a new answer, or a changed score within window.
func (st *Store) answerUpdate(a survey.Answer, categories []string, locale string, days []string, window time.Duration) *types.Update {
	at := stamp(a.At)
	vals := map[string]types.AttributeValue{
		":score": n(int64(a.Score)), ":at": s(at), ":cutoff": s(stamp(a.At.Add(-window))), ":type": s("answer"),
		":cid": s(a.ContactID), ":key": s(a.SendKey), ":oid": s(a.OrderID), ":q": s(a.Question), ":locale": s(locale),
		":gpk": s(monthKey("ANSWERS#", a.At)), ":gsk": s(at + "#" + safe(a.ContactID) + "#" + a.SendKey + "#" + a.Question),
		":cats": item{}.strList("v", append([]string{}, categories...))["v"], ":days": item{}.strList("v", days)["v"],
	}
	if len(categories) == 0 {
		vals[":cats"] = &types.AttributeValueMemberL{Value: []types.AttributeValue{}}
	}
	return &types.Update{
		TableName: &st.table, Key: key(contactPK(a.ContactID), answerSK(a.SendKey, a.Question)),
		UpdateExpression: aws.String("SET #score = :score, #changedAt = :at, #firstAt = if_not_exists(#firstAt, :at), #t = :type, " +
			"#contactId = :cid, #sendKey = :key, #orderId = :oid, #question = :q, #locale = :locale, #categories = :cats, #days = :days, " +
			"GSI2PK = if_not_exists(GSI2PK, :gpk), GSI2SK = if_not_exists(GSI2SK, :gsk)"),
		ConditionExpression: aws.String("attribute_not_exists(PK) OR (#firstAt > :cutoff AND #score <> :score)"),
		ExpressionAttributeNames: map[string]string{"#t": "type", "#score": "score", "#changedAt": "changedAt", "#firstAt": "firstAt",
			"#contactId": "contactId", "#sendKey": "sendKey", "#orderId": "orderId", "#question": "question", "#locale": "locale",
			"#categories": "categories", "#days": "days"},
		ExpressionAttributeValues:           vals,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}
}

// saveAnswer applies an answer's update with the events it owes (one transaction), and
// returns the answer as stored and whether the update's condition held.
func (st *Store) saveAnswer(ctx context.Context, upd *types.Update, evs []bus.Event, op string) (survey.Answer, bool, error) {
	done, old, err := st.transact(ctx, []types.TransactWriteItem{{Update: upd}}, evs)
	if err != nil {
		return survey.Answer{}, false, fmt.Errorf("%s: %w", op, err)
	}
	if !done {
		return answerOf(old), false, nil // the same score again, too late to change it, or no answer
	}
	it, err := st.get(ctx, item(upd.Key).getStr("PK"), item(upd.Key).getStr("SK"))
	if err != nil {
		return survey.Answer{}, false, fmt.Errorf("%s: read it back: %w", op, err)
	}
	return answerOf(it), true, nil
}

// SaveComment adds a comment to a stored answer, with the events it owes.
func (st *Store) SaveComment(ctx context.Context, contactID, sendKey, question, comment string, evs ...bus.Event) (survey.Answer, error) {
	ans, done, err := st.saveAnswer(ctx, &types.Update{
		TableName: &st.table, Key: key(contactPK(contactID), answerSK(sendKey, question)),
		UpdateExpression:          aws.String("SET #c = :c"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames:  map[string]string{"#c": "comment"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": s(comment)},
	}, evs, fmt.Sprintf("save comment %s/%s", sendKey, question))
	if err == nil && !done {
		return survey.Answer{}, fmt.Errorf("%w answer: a comment needs an answer first", fault.ErrInvalid)
	}
	return ans, err
}

// Once marks an effect of an answer as done, with the events it owes, and reports whether
// this was the first time.
func (st *Store) Once(ctx context.Context, contactID, sendKey, question, effect string, evs ...bus.Event) (bool, error) {
	done, _, err := st.transact(ctx, []types.TransactWriteItem{{Update: &types.Update{
		TableName: &st.table, Key: key(contactPK(contactID), answerSK(sendKey, question)),
		UpdateExpression:          aws.String("SET #e = :at"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(#e)"),
		ExpressionAttributeNames:  map[string]string{"#e": "done_" + effect},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": s(stamp(st.now()))},
	}}}, evs)
	if err != nil {
		return false, fmt.Errorf("mark %s of answer %s/%s: %w", effect, sendKey, question, err)
	}
	return done, nil
}

// MarkContacted records that someone (by) got in touch with the customer about an answer (an
// unhappy one, from the dashboard); false when someone already had, whose mark stays.
func (st *Store) MarkContacted(ctx context.Context, contactID, sendKey, question, by string, at time.Time) (bool, error) {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(contactPK(contactID), answerSK(sendKey, question)),
		UpdateExpression:          aws.String("SET contactedAt = :at, contactedBy = :by"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND attribute_not_exists(contactedAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": s(stamp(at)), ":by": s(by)},
	})
	if isConditionFailed(err) {
		if _, found, gerr := st.Answer(ctx, contactID, sendKey, question); gerr == nil && !found {
			return false, fmt.Errorf("%w: no answer %s/%s of %s", fault.ErrNotFound, sendKey, question, contactID)
		}
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("mark answer %s/%s contacted: %w", sendKey, question, err)
	}
	return true, nil
}

// byMonth queries GSI2 for the month partitions prefix+"YYYY-MM" between from and to.
func (st *Store) byMonth(ctx context.Context, prefix string, from, to time.Time, each func(item)) error {
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
			TableName: &st.table, IndexName: aws.String("GSI2"),
			KeyConditionExpression: aws.String("GSI2PK = :pk AND GSI2SK BETWEEN :from AND :to"),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": s(monthKey(prefix, m)), ":from": s(stamp(from)), ":to": s(stamp(to)),
			},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return fmt.Errorf("query %s%s: %w", prefix, m.Format("2006-01"), err)
			}
			for _, it := range page.Items {
				each(it)
			}
		}
	}
	return nil
}

// AnswersBetween returns the answers first given in [from, to).
func (st *Store) AnswersBetween(ctx context.Context, from, to time.Time) ([]survey.Answer, error) {
	var out []survey.Answer
	err := st.byMonth(ctx, "ANSWERS#", from, to, func(it item) { out = append(out, answerOf(it)) })
	return out, err
}

// SurveysSentBetween returns the surveys sent in [from, to).
func (st *Store) SurveysSentBetween(ctx context.Context, from, to time.Time) ([]survey.Survey, error) {
	var out []survey.Survey
	err := st.byMonth(ctx, "SURVEYS#", from, to, func(it item) { out = append(out, surveyOf(it)) })
	return out, err
}

// Answer returns a contact's answer to a question of a survey send.
func (st *Store) Answer(ctx context.Context, contactID, sendKey, question string) (survey.Answer, bool, error) {
	it, err := st.get(ctx, contactPK(contactID), answerSK(sendKey, question))
	if err != nil || it == nil {
		return survey.Answer{}, false, err
	}
	return answerOf(it), true, nil
}
