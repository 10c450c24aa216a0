package dynamo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/bus"
	"shopmail/internal/survey"
)

// Survey results by day (survey.Day): one item per UTC day, locale and category, holding the
// counters of the surveys sent and the answers first given that day, written in the same
// transaction as the answer or the sent survey they count, so that they are exactly what the
// answers and surveys hold. A survey counts in the item of all surveys and in one item per
// category of its order:
//
//	SURVEYDAYS#<yyyy-mm>             <yyyy-mm-dd>#<locale>          all surveys
//	SURVEYDAYS#<yyyy-mm>#<category>  <yyyy-mm-dd>#<locale>          the surveys of a category
//	SURVEYDAYSX#<yyyy-mm>            <yyyy-mm-dd>#<hash of cell>    surveys of more than 16 categories
//
// so that a report reads, for any filter, one item per day and locale of its period. A survey
// whose order had more than maxCellCategories categories counts in one item of its own exact
// cell (locale and categories, which it keeps), read by every category's report, so that a
// transaction stays far below DynamoDB's 100 items (an answer's: the answer, its survey's
// answers, the event, and at most two days of 1 + 16 items).
const maxCellCategories = 16

// Counters of a day item.
const (
	daySent       = "sent"
	dayPromoters  = "np"
	dayPassives   = "na"
	dayDetractors = "nd"
	dayCSATN      = "cn"
	dayCSATSum    = "cs"
	dayCSATSat    = "c4"
	dayCESN       = "en"
	dayCESSum     = "es"
	dayAnswered   = "a" // a<days since the survey's previous answer day>
)

func tallyFields(t *survey.Tally) map[string]*int {
	return map[string]*int{
		daySent: &t.Sent, dayPromoters: &t.Promoters, dayPassives: &t.Passives, dayDetractors: &t.Detractors,
		dayCSATN: &t.CSATAnswers, dayCSATSum: &t.CSATSum, dayCSATSat: &t.CSATSatisfied, dayCESN: &t.CESAnswers, dayCESSum: &t.CESSum,
	}
}

// dayKeys are the keys of the items a survey of categories and locale counts in on day.
func dayKeys(day time.Time, categories []string, locale string) []map[string]types.AttributeValue {
	month, date := day.Format("2006-01"), day.Format(time.DateOnly)
	sk := date + "#" + locale
	if len(categories) > maxCellCategories {
		h := sha256.New()
		h.Write([]byte(locale))
		for _, c := range sortedSet(categories) {
			h.Write([]byte{0})
			h.Write([]byte(c))
		}
		return []map[string]types.AttributeValue{key("SURVEYDAYS#"+month, sk),
			key("SURVEYDAYSX#"+month, date+"#"+hex.EncodeToString(h.Sum(nil)[:16]))}
	}
	out := []map[string]types.AttributeValue{key("SURVEYDAYS#"+month, sk)}
	for _, c := range sortedSet(categories) {
		out = append(out, key("SURVEYDAYS#"+month+"#"+c, sk))
	}
	return out
}

func sortedSet(vs []string) []string {
	out := slices.Clone(vs)
	slices.Sort(out)
	return slices.Compact(out)
}

// dayUpdates are the updates that add deltas to the day items of a survey of categories and
// locale.
func (st *Store) dayUpdates(categories []string, locale string, deltas []survey.Day) []types.TransactWriteItem {
	var out []types.TransactWriteItem
	for _, d := range deltas {
		names := map[string]string{"#t": "type", "#day": "day"}
		vals := map[string]types.AttributeValue{":t": s("survey-day"), ":day": s(d.Day.Format(time.DateOnly))}
		var add []string
		counter := func(name string, v int) {
			if v != 0 {
				p := strconv.Itoa(len(add))
				names["#c"+p], vals[":c"+p] = name, n(int64(v))
				add = append(add, "#c"+p+" :c"+p)
			}
		}
		t := d.Tally
		for name, v := range tallyFields(&t) {
			counter(name, *v)
		}
		for g, v := range d.Answered {
			counter(dayAnswered+strconv.Itoa(g), v)
		}
		set := "#t = :t, #day = :day"
		if locale != "" {
			names["#locale"], vals[":locale"] = "locale", s(locale)
			set += ", #locale = if_not_exists(#locale, :locale)"
		}
		for i, k := range dayKeys(d.Day, categories, locale) {
			names, vals := names, vals
			set := set
			if i == 1 && len(categories) > maxCellCategories {
				names, vals = clone(names), clone(vals)
				names["#cats"], vals[":cats"] = "categories", item{}.strList("v", sortedSet(categories))["v"]
				set += ", #cats = if_not_exists(#cats, :cats)"
			}
			out = append(out, types.TransactWriteItem{Update: &types.Update{
				TableName: &st.table, Key: k,
				UpdateExpression:          aws.String("ADD " + strings.Join(add, ", ") + " SET " + set),
				ExpressionAttributeNames:  names,
				ExpressionAttributeValues: vals,
			}})
		}
	}
	return out
}

func clone[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// dayOf reads a day item.
func dayOf(it item) survey.Day {
	day, _ := time.Parse(time.DateOnly, it.getStr("day"))
	d := survey.Day{Day: day, Locale: it.getStr("locale"), Answered: map[int]int{}}
	fields := tallyFields(&d.Tally)
	for name := range it {
		if f, ok := fields[name]; ok {
			*f = int(it.getNum(name))
		} else if g, err := strconv.Atoi(strings.TrimPrefix(name, dayAnswered)); err == nil && strings.HasPrefix(name, dayAnswered) {
			d.Answered[g] = int(it.getNum(name))
		}
	}
	return d
}

// SurveyDays returns the day items of the UTC days [from, to) of the surveys of category (of
// all when it is empty): one Query a month (and one of the cells of many categories for a
// category), four at a time.
func (st *Store) SurveyDays(ctx context.Context, from, to time.Time, category string) ([]survey.Day, error) {
	var pks []string
	for m := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); m.Before(to); m = m.AddDate(0, 1, 0) {
		if category == "" {
			pks = append(pks, "SURVEYDAYS#"+m.Format("2006-01"))
		} else {
			pks = append(pks, "SURVEYDAYS#"+m.Format("2006-01")+"#"+category, "SURVEYDAYSX#"+m.Format("2006-01"))
		}
	}
	out := make([][]survey.Day, len(pks))
	errs := make([]error, len(pks))
	var wg sync.WaitGroup
	slots := make(chan struct{}, 4)
	for i, pk := range pks {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			out[i], errs[i] = st.surveyDays(ctx, pk, from, to, category)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(out...), nil
}

func (st *Store) surveyDays(ctx context.Context, pk string, from, to time.Time, category string) ([]survey.Day, error) {
	var out []survey.Day
	p := dynamodb.NewQueryPaginator(st.db, &dynamodb.QueryInput{
		TableName: &st.table, KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			// Every key of a day is longer than its date: the day `to` is not in.
			":pk": s(pk), ":from": s(from.Format(time.DateOnly)), ":to": s(to.Format(time.DateOnly)),
		},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("query %s: %w", pk, err)
		}
		for _, it := range page.Items {
			if strings.HasPrefix(pk, "SURVEYDAYSX#") && !slices.Contains(item(it).getStrList("categories"), category) {
				continue
			}
			out = append(out, dayOf(it))
		}
	}
	return out, nil
}

// The answers of a survey send, in one item beside them (CONTACT#<cid>, ANSWERED#<send key>):
// what the day items count of it, and a version, so that answers to its questions given at
// the same moment change the day items one after the other. Each answer item carries the
// days the survey was answered on (`days`), so that a report that reads the answers of a day
// it cuts knows, from them alone, which of their surveys its whole days count already.
type answered struct {
	version    int64
	categories []string
	locale     string
	answers    []survey.Answer // Question, Score, At (the first time)
}

func answeredSK(sendKey string) string { return "ANSWERED#" + sendKey }

func answeredOf(it item) answered {
	a := answered{version: it.getNum("v"), categories: it.getStrList("categories"), locale: it.getStr("locale")}
	m, _ := it["answers"].(*types.AttributeValueMemberM)
	if m == nil {
		return a
	}
	for q, v := range m.Value {
		if e, ok := v.(*types.AttributeValueMemberM); ok {
			a.answers = append(a.answers, survey.Answer{Question: q, Score: int(item(e.Value).getNum("score")), At: unstamp(item(e.Value).getStr("at"))})
		}
	}
	slices.SortFunc(a.answers, func(x, y survey.Answer) int { return strings.Compare(x.Question, y.Question) })
	return a
}

// put is the marker's conditional put as version a.version+1 over version a.version.
func (a answered) put(table, contactID, sendKey string) *types.Put {
	answers := map[string]types.AttributeValue{}
	for _, x := range a.answers {
		answers[x.Question] = &types.AttributeValueMemberM{Value: item{}.str("at", stamp(x.At)).num("score", int64(x.Score))}
	}
	it := item{}.str("PK", contactPK(contactID)).str("SK", answeredSK(sendKey)).str("type", "answered-survey").
		str("contactId", contactID).str("sendKey", sendKey).num("v", a.version+1).str("locale", a.locale).strList("categories", a.categories)
	it["answers"] = &types.AttributeValueMemberM{Value: answers}
	p := &types.Put{TableName: &table, Item: it, ConditionExpression: aws.String("attribute_not_exists(PK)")}
	if a.version > 0 {
		p.ConditionExpression = aws.String("v = :v")
		p.ExpressionAttributeValues = map[string]types.AttributeValue{":v": n(a.version)}
	}
	return p
}

// days are the days of the answers, sorted, as stored on each answer.
func (a answered) days() []string {
	var out []string
	for _, x := range a.answers {
		out = append(out, x.At.UTC().Format(time.DateOnly))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// errRetry is a transaction that lost a race and may be tried again.
var errRetry = errors.New("retry")

// transactDays writes change (its first write's failed condition reported as done false, with
// the item it saw), the check of the version it read (the second write: errRetry when another
// change came first) and the events it owes. A conflict with a concurrent transaction on the
// same day items is errRetry too.
func (st *Store) transactDays(ctx context.Context, change []types.TransactWriteItem, evs []bus.Event) (bool, item, error) {
	if len(change)+len(evs) > 100 {
		return false, nil, fmt.Errorf("a transaction of %d items", len(change)+len(evs))
	}
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: append(change, owed(st.table, evs)...)})
	var canceled *types.TransactionCanceledException
	if !errors.As(err, &canceled) {
		return err == nil, nil, err
	}
	for i, r := range canceled.CancellationReasons {
		switch code := aws.ToString(r.Code); {
		case code == "ConditionalCheckFailed" && i == 0:
			return false, r.Item, nil
		case code == "ConditionalCheckFailed" && i == 1, code == "TransactionConflict":
			return false, nil, errRetry
		}
	}
	return false, nil, err
}

// retry runs try until it does not ask for a retry, a few times.
func retry(ctx context.Context, op string, try func() error) error {
	for attempt := 0; ; attempt++ {
		err := try()
		if !errors.Is(err, errRetry) {
			return err
		}
		if attempt == 12 {
			return fmt.Errorf("%s: too many concurrent changes", op)
		}
		sleep(ctx, attempt)
	}
}
