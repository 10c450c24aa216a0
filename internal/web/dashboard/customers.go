package dashboard

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"

	"shopmail/internal/contacts"
	"shopmail/internal/web"
)

// timelinePage is how many timeline entries a customer's page shows at a time.
const timelinePage = 50

// customers serves /dashboard/customers/...
func (d *Dashboard) customers(rq *request) web.Response {
	p := rq.parts[1:]
	if len(p) == 0 && rq.method == "GET" {
		return d.customerSearch(rq)
	}
	if len(p) == 0 || len(p) > 2 || contacts.ValidID(p[0]) != nil {
		return d.notFound(rq)
	}
	id, action := p[0], ""
	if len(p) == 2 {
		action = p[1]
	}
	switch {
	case action == "" && rq.method == "GET":
		return d.customerPage(rq, id)
	case action == "export" && rq.method == "GET":
		if resp := d.need(rq, "contacts:read"); resp != nil {
			return *resp
		}
		x, err := d.Contacts.Export(rq.ctx, id)
		if err != nil {
			return d.fail(rq, "export contact", err)
		}
		b, err := json.MarshalIndent(x, "", "  ")
		if err != nil {
			return d.fail(rq, "export contact", err)
		}
		resp := web.Text(200, string(b))
		resp.Headers["content-type"] = "application/json"
		resp.Headers["content-disposition"] = `attachment; filename="` + url.PathEscape(id) + `.json"`
		return resp
	case action == "erase":
		if resp := d.need(rq, "contacts:write"); resp != nil {
			return *resp
		}
		c, err := d.Contacts.Get(rq.ctx, id)
		if err != nil {
			return d.fail(rq, "get contact", err)
		}
		if rq.method == "GET" {
			return d.page(rq, 200, rq.v.T("customer.erase.title", c.ID), erasePage(rq.v, c.ID, ""))
		}
		if strings.TrimSpace(rq.form.Get("confirm")) != c.ID {
			return d.page(rq, 422, rq.v.T("customer.erase.title", c.ID), erasePage(rq.v, c.ID, rq.v.T("customer.erase.mismatch")))
		}
		if err := d.Contacts.Erase(rq.ctx, id); err != nil {
			return d.fail(rq, "erase contact", err)
		}
		return d.seeOther("/dashboard/customers?done=customer.erased")
	}
	return d.notFound(rq)
}

func (d *Dashboard) customerSearch(rq *request) web.Response {
	if resp := d.need(rq, "contacts:read"); resp != nil {
		return *resp
	}
	q := strings.TrimSpace(rq.QueryStringParameters["q"])
	done := ""
	if rq.QueryStringParameters["done"] == "customer.erased" {
		done = rq.v.T("customer.erased")
	}
	var found []contacts.View
	next := ""
	switch {
	case strings.Contains(q, "@"):
		cs, err := d.Contacts.ByEmail(rq.ctx, q)
		if err != nil {
			return d.fail(rq, "look up contacts", err)
		}
		for _, c := range cs {
			found = append(found, contacts.ViewOf(c))
		}
	case q != "":
		if contacts.ValidID(q) == nil {
			if c, err := d.Contacts.Get(rq.ctx, q); err == nil {
				found = append(found, contacts.ViewOf(c))
			} else if web.Status(err) >= 500 {
				return d.fail(rq, "get contact", err)
			}
		}
	default:
		var err error
		if found, next, err = d.Contacts.List(rq.ctx, rq.QueryStringParameters["cursor"], 50); err != nil {
			return d.fail(rq, "list contacts", err)
		}
	}
	if q != "" && len(found) == 1 {
		return web.Redirect("/dashboard/customers/" + url.PathEscape(found[0].ID))
	}
	more := ""
	if next != "" {
		more = "/dashboard/customers?cursor=" + url.QueryEscape(next)
	}
	return d.page(rq, 200, rq.v.T("customers.title"), customerSearchPage(rq.v, q, found, more, done))
}

// ledgerPage is how many of the newest ledger entries a customer's page lists; the rest are
// in the API (GET /contacts/{id}/loyalty).
const ledgerPage = 10

func (d *Dashboard) customerPage(rq *request, id string) web.Response {
	if resp := d.need(rq, "contacts:read"); resp != nil {
		return *resp
	}
	cursor := 0
	if v := rq.QueryStringParameters["cursor"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return d.notFound(rq)
		}
		cursor = n
	}
	det, err := d.Contacts.Detail(rq.ctx, id, cursor, timelinePage)
	if err != nil {
		return d.fail(rq, "get contact", err)
	}
	loy, err := d.Contacts.Loyalty(rq.ctx, id, "", ledgerPage)
	if err != nil {
		return d.fail(rq, "get loyalty", err)
	}
	older := ""
	if det.Next != "" {
		older = "/dashboard/customers/" + url.PathEscape(id) + "?cursor=" + url.QueryEscape(det.Next)
	}
	name := strings.TrimSpace(det.Contact.FirstName + " " + det.Contact.LastName)
	if name == "" {
		name = det.Contact.ID
	}
	return d.page(rq, 200, rq.v.T("customer.title", name), customerDetail(rq.v, det, loy, older))
}

// importContacts is the contact import: a CSV or NDJSON file uploaded, or rows pasted.
func (d *Dashboard) importContacts(rq *request) web.Response {
	if len(rq.parts) != 1 {
		return d.notFound(rq)
	}
	if resp := d.need(rq, "contacts:write"); resp != nil {
		return *resp
	}
	title := rq.v.T("import.title")
	if rq.method == "GET" {
		return d.page(rq, 200, title, importPage(rq.v, nil, ""))
	}
	body := rq.files["file"]
	if len(body) == 0 {
		body = []byte(strings.ReplaceAll(rq.form.Get("rows"), "\r\n", "\n"))
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return d.page(rq, 422, title, importPage(rq.v, nil, rq.v.T("import.empty")))
	}
	format := contacts.CSV
	if t := strings.TrimSpace(string(body)); strings.HasPrefix(t, "{") {
		format = contacts.NDJSON
	}
	res, err := d.Contacts.Import(rq.ctx, format, body)
	if err != nil {
		if web.Status(err) >= 500 {
			return d.fail(rq, "import contacts", err)
		}
		return d.page(rq, 422, title, importPage(rq.v, nil, problemText(err)))
	}
	return d.page(rq, 200, title, importPage(rq.v, &res, ""))
}
