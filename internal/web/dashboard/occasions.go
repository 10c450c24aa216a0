package dashboard

import (
	"sort"

	"shopmail/internal/calendar"
	"shopmail/internal/occasions"
	"shopmail/internal/render"
	"shopmail/internal/web"
)

// occasions serves /dashboard/occasions: the calendar in the order the days come, each day
// in both calendars, switched on and off with a button, and what goes out on a chosen date.
func (d *Dashboard) occasions(rq *request) web.Response {
	p := rq.parts[1:]
	if len(p) == 1 && rq.method == "POST" {
		if resp := d.need(rq, "occasions:write"); resp != nil {
			return *resp
		}
		on := rq.form.Get("enabled") == "true"
		patch := `{"enabled": false}`
		if on {
			patch = `{"enabled": true}`
		}
		if _, err := d.Occasions.Patch(rq.ctx, p[0], []byte(patch)); err != nil {
			return d.fail(rq, "switch occasion", err)
		}
		return d.seeOther("/dashboard/occasions?done=occasions.changed#" + pathEscape(p[0]))
	}
	if len(p) != 0 || rq.method != "GET" {
		return d.notFound(rq)
	}
	if resp := d.need(rq, "occasions:read"); resp != nil {
		return *resp
	}
	list, err := d.Occasions.List(rq.ctx)
	if err != nil {
		return d.fail(rq, "list occasions", err)
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].Next < list[j].Next }) // the birthday, with none, first
	var pv *occasions.Preview
	date := rq.QueryStringParameters["date"]
	if date != "" {
		p, err := d.Occasions.Preview(rq.ctx, date)
		if err != nil {
			if web.Status(err) >= 500 {
				return d.fail(rq, "preview occasions", err)
			}
			return d.page(rq, 400, rq.v.T("occasions.title"), occasionsPage(rq.v, list, nil, date, problemText(err), ""))
		}
		pv = &p
	}
	done := ""
	if rq.QueryStringParameters["done"] == "occasions.changed" {
		done = rq.v.T("occasions.changed")
	}
	return d.page(rq, 200, rq.v.T("occasions.title"), occasionsPage(rq.v, list, pv, date, "", done))
}

// bothCalendars is a day as the Gregorian and the Persian calendars write it.
func bothCalendars(day string) (gregorian, persian string) {
	d, err := calendar.ParseDate(day)
	if err != nil {
		return day, ""
	}
	return render.LocaleFor("en", "").Day(d), render.LocaleFor("fa", "").Day(d)
}

// occasionName is an occasion's name in the interface's language, English otherwise.
func occasionName(v view, name map[string]string) string {
	if n := name[v.lang]; n != "" {
		return n
	}
	return name["en"]
}
