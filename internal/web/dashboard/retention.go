package dashboard

import (
	"time"

	"shopmail/internal/cart"
	"shopmail/internal/contact"
	"shopmail/internal/loyalty"
	"shopmail/internal/web"
)

// retentionView is the retention page: the customers who first ordered in a period, what
// they did next, the customers at risk now, the tiers, and the carts left and recovered.
type retentionView struct {
	From, To string
	R        loyalty.Retention
	Tiers    []string // the programme's, in order
	Draws    []loyalty.Draw
	Carts    *cart.Numbers // the abandoned carts of the period (nil: not shown)
}

// retention shows the retention report (GET /reports/retention) for a period, by default the
// last 12 months.
func (d *Dashboard) retention(rq *request) web.Response {
	if len(rq.parts) != 1 || rq.method != "GET" {
		return d.notFound(rq)
	}
	if resp := d.need(rq, "reports:read"); resp != nil {
		return *resp
	}
	q := rq.QueryStringParameters
	to := d.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	from := to.AddDate(-1, 0, 0)
	var err error
	if v := q["to"]; v != "" {
		if to, err = time.Parse(time.DateOnly, v); err != nil {
			return d.page(rq, 400, rq.v.T("error.title"), message("to: YYYY-MM-DD"))
		}
		from = to.AddDate(-1, 0, 0)
	}
	if v := q["from"]; v != "" {
		if from, err = time.Parse(time.DateOnly, v); err != nil {
			return d.page(rq, 400, rq.v.T("error.title"), message("from: YYYY-MM-DD"))
		}
	}
	r, err := loyalty.RetentionOf(rq.ctx, d.Contacts.Profiles, from, to, d.Now(), contact.DefaultRisk)
	if err != nil {
		return d.fail(rq, "retention", err)
	}
	rv := retentionView{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), R: r, Tiers: d.tiers()}
	if d.Draws != nil {
		if rv.Draws, err = d.Draws.Draws(rq.ctx); err != nil {
			return d.fail(rq, "draws", err)
		}
	}
	if d.Carts != nil {
		n, err := cart.Report(rq.ctx, d.Carts, from, to)
		if err != nil {
			return d.fail(rq, "carts", err)
		}
		rv.Carts = &n
	}
	return d.page(rq, 200, rq.v.T("retention.title"), retentionPage(rq.v, rv))
}

// maxReturned is the most months any cohort has been followed for: the table's columns.
func maxReturned(cs []loyalty.Cohort) int {
	n := 0
	for _, c := range cs {
		n = max(n, len(c.Returned))
	}
	return n
}
