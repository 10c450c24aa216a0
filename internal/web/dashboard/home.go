package dashboard

import (
	"sort"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/money"
	"shopmail/internal/survey"
	"shopmail/internal/web"
)

// glance is the home page's last 30 days.
type glance struct {
	Sent, Opens, Clicks, Orders int64
	Revenue                     map[string]money.Decimal
	NPS                         *survey.NPSResult
}

// homeLists is how many campaigns each list of the home page shows.
const homeLists = 10

func (d *Dashboard) home(rq *request) web.Response {
	if rq.method != "GET" {
		return d.notFound(rq)
	}
	if resp := d.need(rq, "campaigns:read"); resp != nil {
		return *resp
	}
	sending, _, err := d.Campaigns.List(rq.ctx, campaign.StatusSending, "", homeLists)
	if err != nil {
		return d.fail(rq, "list campaigns", err)
	}
	scheduled, _, err := d.Campaigns.List(rq.ctx, campaign.StatusScheduled, "", homeLists)
	if err != nil {
		return d.fail(rq, "list campaigns", err)
	}
	sort.Slice(scheduled, func(i, j int) bool { return scheduled[i].ScheduledAt.Before(scheduled[j].ScheduledAt) })
	now := d.Now()
	g := glance{}
	rates, err := d.Reputation.ReputationRates(rq.ctx, d.Sender, now.Add(-30*24*time.Hour))
	if err != nil {
		return d.fail(rq, "count sends", err)
	}
	g.Sent = rates.Sends
	// The engagement of the campaigns that started in the period: those sending now and the
	// latest completed ones.
	completed, _, err := d.Campaigns.List(rq.ctx, campaign.StatusCompleted, "", 2*homeLists)
	if err != nil {
		return d.fail(rq, "list campaigns", err)
	}
	revenue := map[string]money.Decimal{}
	for _, c := range append(append([]campaign.Campaign{}, sending...), completed...) {
		if c.StartedAt.Before(now.Add(-30 * 24 * time.Hour)) {
			continue
		}
		st, err := d.Campaigns.Stats(rq.ctx, c.ID)
		if err != nil {
			return d.fail(rq, "campaign stats", err)
		}
		g.Opens += st.Opened.Human
		g.Clicks += st.Clicked.Human
		g.Orders += st.Orders
		for cur, v := range st.Revenue {
			if amount, err := money.ParseDecimal(v); err == nil {
				revenue[cur], _ = revenue[cur].Add(amount)
			}
		}
	}
	g.Revenue = revenue
	if d.Surveys != nil && rq.s.can("reports:read") {
		to := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
		rep, err := d.Surveys.Report(rq.ctx, survey.Query{From: to.Add(-30 * 24 * time.Hour), To: to})
		if err != nil {
			return d.fail(rq, "survey results", err)
		}
		g.NPS = rep.Results.NPS
	}
	return d.page(rq, 200, rq.v.T("home.title"), homePage(rq.v, sending, scheduled, g))
}
