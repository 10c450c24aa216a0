package dashboard

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"shopmail/internal/contacts"
	"shopmail/internal/web"
)

// segments serves /dashboard/segments/...: the list, a segment with its count and sample, the
// rule builder (a form: no JSON to type) and the count the campaign form's picker shows.
func (d *Dashboard) segments(rq *request) web.Response {
	p := rq.parts[1:]
	switch {
	case len(p) == 0 && rq.method == "GET":
		if resp := d.need(rq, "segments:read"); resp != nil {
			return *resp
		}
		segs, err := d.allSegments(rq)
		if err != nil {
			return d.fail(rq, "list segments", err)
		}
		return d.page(rq, 200, rq.v.T("segments.title"), segmentListPage(rq.v, segs))
	case len(p) == 0 && rq.method == "POST":
		return d.buildSegment(rq)
	case len(p) == 1 && p[0] == "new" && rq.method == "GET":
		if resp := d.need(rq, "segments:write"); resp != nil {
			return *resp
		}
		return d.page(rq, 200, rq.v.T("segment.new"), segmentBuilder(rq.v, ruleForm{Tiers: d.tiers()}, nil, ""))
	case len(p) == 1 && rq.method == "GET":
		if resp := d.need(rq, "segments:read"); resp != nil {
			return *resp
		}
		sg, err := d.Contacts.GetSegment(rq.ctx, p[0])
		if err != nil {
			return d.fail(rq, "get segment", err)
		}
		pv, err := d.Contacts.PreviewSegment(rq.ctx, p[0])
		if err != nil {
			return d.fail(rq, "preview segment", err)
		}
		done := ""
		if rq.QueryStringParameters["done"] == "segment.saved" {
			done = rq.v.T("segment.saved")
		}
		return d.page(rq, 200, sg.Name, segmentPage(rq.v, sg, pv, done))
	case len(p) == 2 && p[1] == "count" && rq.method == "GET":
		if resp := d.need(rq, "segments:read"); resp != nil {
			return *resp
		}
		pv, err := d.Contacts.PreviewSegment(rq.ctx, p[0])
		if err != nil {
			return web.Text(404, "")
		}
		return d.fragment(rq, recipients(rq.v, pv))
	}
	return d.notFound(rq)
}

// ruleForm is the rule builder: each condition is used when filled in, all of them must hold.
type ruleForm struct {
	Name, Consent, Locale, Country, Tag, OrdersMin, LastOrderDays, EngagedDays, NPS, Tier string
	AtRisk                                                                                bool
	// Tiers are the loyalty programme's, offered for Tier.
	Tiers []string
}

func ruleFormOf(f url.Values) ruleForm {
	g := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	return ruleForm{Name: g("name"), Consent: g("consent"), Locale: g("locale"), Country: g("country"), Tag: g("tag"),
		OrdersMin: g("orders"), LastOrderDays: g("lastOrder"), EngagedDays: g("engaged"), NPS: g("nps"), Tier: g("tier"),
		AtRisk: f.Get("atRisk") != ""}
}

// rule is the segment rule the form describes (segment's JSON language), nil for no condition.
func (f ruleForm) rule() json.RawMessage {
	var all []map[string]any
	num := func(s string) any {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
		return s // the parser says what is wrong with it
	}
	if f.Consent != "" {
		all = append(all, map[string]any{"consent": f.Consent})
	}
	if f.Locale != "" {
		all = append(all, map[string]any{"locale": f.Locale})
	}
	if f.Country != "" {
		all = append(all, map[string]any{"country": f.Country})
	}
	if f.Tag != "" {
		all = append(all, map[string]any{"tag": f.Tag})
	}
	if f.OrdersMin != "" {
		all = append(all, map[string]any{"orders": map[string]any{"min": num(f.OrdersMin)}})
	}
	if f.LastOrderDays != "" {
		all = append(all, map[string]any{"lastOrder": map[string]any{"withinDays": num(f.LastOrderDays)}})
	}
	if f.EngagedDays != "" {
		all = append(all, map[string]any{"engaged": map[string]any{"withinDays": num(f.EngagedDays)}})
	}
	if f.NPS != "" {
		all = append(all, map[string]any{"nps": f.NPS})
	}
	if f.Tier != "" {
		all = append(all, map[string]any{"tier": f.Tier})
	}
	if f.AtRisk {
		all = append(all, map[string]any{"atRisk": map[string]any{}})
	}
	if len(all) == 0 {
		return nil
	}
	b, _ := json.Marshal(map[string]any{"all": all})
	return b
}

func (d *Dashboard) buildSegment(rq *request) web.Response {
	save := rq.form.Get("do") == "save"
	scope := "segments:read"
	if save {
		scope = "segments:write"
	}
	if resp := d.need(rq, scope); resp != nil {
		return *resp
	}
	f := ruleFormOf(rq.form)
	f.Tiers = d.tiers()
	rule := f.rule()
	if rule == nil {
		return d.page(rq, 422, rq.v.T("segment.new"), segmentBuilder(rq.v, f, nil, rq.v.T("segment.empty")))
	}
	if save {
		sg, err := d.Contacts.CreateSegment(rq.ctx, contacts.SegmentInput{Name: f.Name, Rule: rule})
		if err != nil {
			if web.Status(err) >= 500 {
				return d.fail(rq, "create segment", err)
			}
			return d.page(rq, 422, rq.v.T("segment.new"), segmentBuilder(rq.v, f, nil, problemText(err)))
		}
		return d.seeOther("/dashboard/segments/" + url.PathEscape(sg.ID) + "?done=segment.saved")
	}
	pv, err := d.Contacts.PreviewRule(rq.ctx, rule)
	if err != nil {
		if web.Status(err) >= 500 {
			return d.fail(rq, "preview segment", err)
		}
		return d.page(rq, 422, rq.v.T("segment.new"), segmentBuilder(rq.v, f, nil, problemText(err)))
	}
	return d.page(rq, 200, rq.v.T("segment.new"), segmentBuilder(rq.v, f, &pv, ""))
}

// tiers are the names of the loyalty programme's tiers.
func (d *Dashboard) tiers() []string {
	var out []string
	for _, t := range d.Contacts.Programme.Tiers {
		out = append(out, t.Name)
	}
	return out
}
