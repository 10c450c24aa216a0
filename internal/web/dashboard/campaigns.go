package dashboard

import (
	"encoding/json"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"shopmail/internal/campaign"
	"shopmail/internal/campaigns"
	"shopmail/internal/contacts"
	"shopmail/internal/web"
)

// languages are the languages a campaign is written in from the dashboard.
var languages = []string{"en", "fa"}

// campaignsPage is how many campaigns a page of the list shows (each with its numbers).
const campaignsPage = 25

// campaigns serves /dashboard/campaigns/...
func (d *Dashboard) campaigns(rq *request) web.Response {
	p := rq.parts[1:]
	switch {
	case len(p) == 0 && rq.method == "GET":
		return d.campaignList(rq)
	case len(p) == 0 && rq.method == "POST":
		return d.saveCampaign(rq, "")
	case len(p) == 1 && p[0] == "preview" && rq.method == "POST":
		return d.draftPreview(rq, "")
	case len(p) == 1 && p[0] == "new" && rq.method == "GET":
		if resp := d.need(rq, "campaigns:write"); resp != nil {
			return *resp
		}
		return d.campaignForm(rq, campaignInput{Topic: "sales"}, "", nil, 200)
	case len(p) == 0:
		return d.notFound(rq)
	}
	id := p[0]
	if err := campaigns.ValidID(id); err != nil {
		return d.notFound(rq)
	}
	action := ""
	if len(p) == 2 {
		action = p[1]
	} else if len(p) > 2 {
		return d.notFound(rq)
	}
	if rq.method == "GET" {
		switch action {
		case "":
			return d.campaignPage(rq, id, "")
		case "edit":
			if resp := d.need(rq, "campaigns:write"); resp != nil {
				return *resp
			}
			c, err := d.Campaigns.Get(rq.ctx, id)
			if err != nil {
				return d.fail(rq, "get campaign", err)
			}
			return d.campaignForm(rq, inputOf(c), id, nil, 200)
		case "preview":
			return d.campaignPreview(rq, id)
		case "hours":
			return d.hoursFragment(rq, id)
		case "numbers":
			if resp := d.need(rq, "campaigns:read"); resp != nil {
				return *resp
			}
			st, err := d.Campaigns.Stats(rq.ctx, id)
			if err != nil {
				return web.Text(503, "")
			}
			return d.fragment(rq, numbers(rq.v, rq.QueryStringParameters["shown"], st))
		}
		return d.notFound(rq)
	}
	if resp := d.need(rq, "campaigns:write"); resp != nil {
		return *resp
	}
	var err error
	done := "campaign.done"
	switch action {
	case "edit":
		return d.saveCampaign(rq, id)
	case "preview":
		return d.draftPreview(rq, id)
	case "test":
		to := strings.TrimSpace(rq.form.Get("to"))
		_, err = d.Campaigns.Test(rq.ctx, id, []string{to}, rq.form.Get("locale"))
		done = "campaign.test.sent"
	case "schedule":
		var in campaigns.ScheduleInput
		if in, err = d.scheduleInput(rq); err == nil {
			_, err = d.Campaigns.Schedule(rq.ctx, id, in)
		}
	case "pause":
		_, err = d.Campaigns.Pause(rq.ctx, id)
	case "resume":
		_, err = d.Campaigns.Resume(rq.ctx, id)
	case "cancel":
		_, err = d.Campaigns.Cancel(rq.ctx, id)
	case "retry":
		_, err = d.Campaigns.RetryFailed(rq.ctx, id)
	default:
		return d.notFound(rq)
	}
	if err != nil {
		if web.Status(err) >= 500 {
			return d.fail(rq, "campaign "+action, err)
		}
		return d.campaignPage(rq, id, problemText(err))
	}
	return d.seeOther("/dashboard/campaigns/" + url.PathEscape(id) + "?done=" + done)
}

// problemText is what a refused action tells the marketer: each field's problem.
func problemText(err error) string {
	var fe interface{ FieldProblems() map[string]string }
	if errors.As(err, &fe) {
		var parts []string
		for _, k := range sortedKeys(fe.FieldProblems()) {
			parts = append(parts, k+": "+fe.FieldProblems()[k])
		}
		return strings.Join(parts, "; ")
	}
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, ": "); ok {
		return rest
	}
	return msg
}

// scheduleInput reads the schedule form: a local date and time in the shop's time zone, or now.
func (d *Dashboard) scheduleInput(rq *request) (campaigns.ScheduleInput, error) {
	in := campaigns.ScheduleInput{RecipientLocalTime: rq.form.Get("local") == "on"}
	if rq.form.Get("now") != "" {
		in.At = d.Now().Add(time.Minute).Truncate(time.Minute)
		return in, nil
	}
	at, err := time.ParseInLocation("2006-01-02T15:04", rq.form.Get("at"), d.zone())
	if err != nil {
		return in, &campaign.FieldError{What: "schedule", Fields: map[string]string{"at": "give a date and time"}}
	}
	in.At = at
	return in, nil
}

func (d *Dashboard) zone() *time.Location {
	if d.Timezone == nil {
		return time.UTC
	}
	return d.Timezone
}

// row is a campaign in the list, with its numbers.
type row struct {
	C  campaign.Campaign
	St campaigns.Stats
}

func (d *Dashboard) campaignList(rq *request) web.Response {
	if resp := d.need(rq, "campaigns:read"); resp != nil {
		return *resp
	}
	status, cursor := rq.QueryStringParameters["status"], rq.QueryStringParameters["cursor"]
	list, next, err := d.Campaigns.List(rq.ctx, status, cursor, campaignsPage)
	if err != nil {
		return d.fail(rq, "list campaigns", err)
	}
	rows := make([]row, len(list))
	errs := make([]error, len(list))
	var wg sync.WaitGroup
	for i, c := range list {
		rows[i].C = c
		if c.Status == campaign.StatusDraft || c.Status == campaign.StatusScheduled {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			rows[i].St, errs[i] = d.Campaigns.Stats(rq.ctx, c.ID)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return d.fail(rq, "campaign stats", err)
	}
	more := ""
	if next != "" {
		q := url.Values{"cursor": {next}}
		if status != "" {
			q.Set("status", status)
		}
		more = "/dashboard/campaigns?" + q.Encode()
	}
	return d.page(rq, 200, rq.v.T("campaigns.title"), campaignListPage(rq.v, status, rows, more))
}

// campaignStats is a campaign with its numbers.
func (d *Dashboard) campaignStats(rq *request, id string) (campaign.Campaign, campaigns.Stats, error) {
	c, err := d.Campaigns.Get(rq.ctx, id)
	if err != nil {
		return c, campaigns.Stats{}, err
	}
	st, err := d.Campaigns.Stats(rq.ctx, id)
	return c, st, err
}

func (d *Dashboard) campaignPage(rq *request, id, problem string) web.Response {
	if resp := d.need(rq, "campaigns:read"); resp != nil {
		return *resp
	}
	c, st, err := d.campaignStats(rq, id)
	if err != nil {
		return d.fail(rq, "get campaign", err)
	}
	pv, err := d.Campaigns.Preview(rq.ctx, id, "")
	if err != nil {
		return d.fail(rq, "preview campaign", err)
	}
	sr, err := d.campaignHours(rq, id, st.Sent)
	if err != nil {
		return d.fail(rq, "campaign over time", err)
	}
	done := ""
	if k := rq.QueryStringParameters["done"]; strings.HasPrefix(k, "campaign.") {
		done = rq.v.T(k)
	}
	status := 200
	if problem != "" {
		status = 422
	}
	return d.page(rq, status, c.Name, campaignDetail(rq.v, c, st, sr, pv.Problems, done, problem, d.Now().In(d.zone())))
}

// campaignPreview is the email as a reader sees it, for the preview frames: in a language,
// light or dark (the email's own dark styles applied, as a mail client in dark mode does).
// It has its own CSP: the email's inline styles, https images, no script, framed by us only.
func (d *Dashboard) campaignPreview(rq *request, id string) web.Response {
	if resp := d.need(rq, "campaigns:read"); resp != nil {
		return *resp
	}
	pv, err := d.Campaigns.Preview(rq.ctx, id, rq.QueryStringParameters["locale"])
	if err != nil {
		return d.fail(rq, "preview campaign", err)
	}
	return framed(pv.HTML, rq.QueryStringParameters["scheme"] == "dark")
}

// framed is an email shown in a preview frame: its own CSP (the email's inline styles, https
// images, no script, framed by our pages only), dark when asked (the email's dark styles
// applied, as a mail client in dark mode does).
func framed(html string, dark bool) web.Response {
	if dark {
		html = strings.ReplaceAll(html, "@media (prefers-color-scheme: dark)", "@media all")
		html = strings.Replace(html, "color-scheme: light dark;", "color-scheme: dark;", 1)
	}
	resp := web.HTML(200, html)
	resp.Headers["content-security-policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; " +
		"form-action 'none'; frame-ancestors 'self'; sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox"
	resp.Headers["x-frame-options"] = "SAMEORIGIN"
	return resp
}

// draftPreview is the form's draft, posted into a preview frame as the marketer types: the
// email, or what must be fixed before it can be saved.
func (d *Dashboard) draftPreview(rq *request, id string) web.Response {
	if resp := d.need(rq, "campaigns:read"); resp != nil {
		return *resp
	}
	in := formInput(rq.form)
	doc, err := in.body()
	if id != "" && err == nil {
		doc, err = in.patch()
	}
	var pv campaigns.Preview
	if err == nil {
		pv, err = d.Campaigns.PreviewDraft(rq.ctx, id, doc, rq.QueryStringParameters["locale"])
	}
	if err != nil {
		if web.Status(err) >= 500 {
			return d.fail(rq, "preview campaign", err)
		}
		var sb strings.Builder
		if err := problemsPage(rq.v, problemText(err)).Render(rq.ctx, &sb); err != nil {
			return web.Text(500, "")
		}
		return framed(sb.String(), false)
	}
	return framed(pv.HTML, rq.QueryStringParameters["scheme"] == "dark")
}

// campaignInput is the campaign form: what the dashboard writes of a campaign (the rest, a
// sale's products for one, is kept as the API wrote it).
type campaignInput struct {
	Name, Topic, Segment, CTAURL, Holdout string
	Content                               map[string]campaign.Content
	CTALabel, SubjectB                    map[string]string
}

func inputOf(c campaign.Campaign) campaignInput {
	in := campaignInput{Name: c.Name, Topic: c.Topic, Segment: c.Segment.ID, Content: c.Content, CTALabel: map[string]string{}, SubjectB: map[string]string{}}
	if c.CTA != nil {
		in.CTAURL, in.CTALabel = c.CTA.URL, c.CTA.Label
	}
	if len(c.Variants) > 0 {
		in.SubjectB = c.Variants[0].Subject
	}
	if c.HoldoutPercent > 0 {
		in.Holdout = strconv.Itoa(c.HoldoutPercent)
	}
	return in
}

func formInput(f url.Values) campaignInput {
	in := campaignInput{Name: f.Get("name"), Topic: f.Get("topic"), Segment: f.Get("segment"), CTAURL: strings.TrimSpace(f.Get("cta.url")),
		Holdout: strings.TrimSpace(f.Get("holdout")), Content: map[string]campaign.Content{}, CTALabel: map[string]string{}, SubjectB: map[string]string{}}
	for _, l := range languages {
		c := campaign.Content{Subject: f.Get(l + ".subject"), Preheader: f.Get(l + ".preheader"), Headline: f.Get(l + ".headline"), Body: f.Get(l + ".body")}
		if c != (campaign.Content{}) {
			in.Content[l] = c
		}
		if v := f.Get(l + ".cta"); v != "" {
			in.CTALabel[l] = v
		}
		if v := f.Get(l + ".subjectB"); v != "" {
			in.SubjectB[l] = v
		}
	}
	return in
}

// patch is the campaign's JSON merge patch (RFC 7396) for the form: what the form leaves out
// is removed (null), what it does not show is kept.
func (in campaignInput) patch() ([]byte, error) {
	doc := map[string]any{"name": in.Name, "topic": in.Topic, "segment": map[string]any{"id": in.Segment}}
	content := map[string]any{}
	for _, l := range languages {
		if c, ok := in.Content[l]; ok {
			content[l] = c
		} else {
			content[l] = nil
		}
	}
	doc["content"] = content
	doc["cta"] = nil
	if in.CTAURL != "" || len(in.CTALabel) > 0 {
		doc["cta"] = campaign.CTA{URL: in.CTAURL, Label: in.CTALabel}
	}
	doc["variants"] = nil
	if len(in.SubjectB) > 0 {
		doc["variants"] = []campaign.Variant{{Subject: in.SubjectB}}
	}
	doc["holdoutPercent"] = nil
	if in.Holdout != "" {
		n, err := strconv.Atoi(in.Holdout)
		if err != nil {
			return nil, &campaign.FieldError{What: "campaign", Fields: map[string]string{"holdoutPercent": "a whole number"}}
		}
		doc["holdoutPercent"] = n
	}
	return json.Marshal(doc)
}

// body is the campaign's JSON for a new one: the patch without its nulls.
func (in campaignInput) body() ([]byte, error) {
	b, err := in.patch()
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	json.Unmarshal(b, &doc)
	for k, v := range doc {
		if v == nil {
			delete(doc, k)
		}
	}
	if content, ok := doc["content"].(map[string]any); ok {
		for k, v := range content {
			if v == nil {
				delete(content, k)
			}
		}
	}
	return json.Marshal(doc)
}

func (d *Dashboard) saveCampaign(rq *request, id string) web.Response {
	if resp := d.need(rq, "campaigns:write"); resp != nil {
		return *resp
	}
	in := formInput(rq.form)
	var c campaign.Campaign
	var err error
	if id == "" {
		var b []byte
		if b, err = in.body(); err == nil {
			c, err = d.Campaigns.Create(rq.ctx, b)
		}
	} else {
		var b []byte
		if b, err = in.patch(); err == nil {
			c, err = d.Campaigns.Patch(rq.ctx, id, b)
		}
	}
	if err != nil {
		if web.Status(err) >= 500 {
			return d.fail(rq, "save campaign", err)
		}
		return d.campaignForm(rq, in, id, err, 422)
	}
	return d.seeOther("/dashboard/campaigns/" + url.PathEscape(c.ID) + "?done=campaign.created")
}

func (d *Dashboard) campaignForm(rq *request, in campaignInput, id string, problem error, status int) web.Response {
	segs, err := d.allSegments(rq)
	if err != nil {
		return d.fail(rq, "list segments", err)
	}
	var problems []string
	if problem != nil {
		var fe interface{ FieldProblems() map[string]string }
		if errors.As(problem, &fe) {
			for _, k := range sortedKeys(fe.FieldProblems()) {
				problems = append(problems, k+": "+fe.FieldProblems()[k])
			}
		} else {
			problems = append(problems, problemText(problem))
		}
	}
	title := rq.v.T("campaign.new")
	if id != "" {
		title = rq.v.T("campaign.edit") + ": " + in.Name
	}
	return d.page(rq, status, title, campaignFormPage(rq.v, in, id, segs, problems))
}

// allSegments are the segments for the picker (the first 100 by id).
func (d *Dashboard) allSegments(rq *request) ([]contacts.Segment, error) {
	segs, _, err := d.Contacts.ListSegments(rq.ctx, "", 100)
	sort.Slice(segs, func(i, j int) bool { return segs[i].Name < segs[j].Name })
	return segs, err
}

// actions are what a campaign in a status can be told to do.
func actions(status string) []string {
	switch status {
	case campaign.StatusScheduled:
		return []string{"cancel"}
	case campaign.StatusSending:
		return []string{"pause", "cancel"}
	case campaign.StatusPaused:
		return []string{"resume", "cancel"}
	case campaign.StatusCompleted:
		return []string{"retry"}
	}
	return nil
}

// skippedReasons are a campaign's skip reasons in order.
func skippedReasons(st campaigns.Stats) []string { return sortedKeys(st.Skipped) }
