// Package contactsapi is the marketer API's contacts and segments at the HTTP edge (a package
// of its own so that the functions serving customers' pages do not link the segment engine).
package contactsapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"mime"
	"strconv"
	"strings"

	"shopmail/internal/contacts"
	"shopmail/internal/web"
)

// Contacts is the marketer API's contacts and segments (behind the JWT authorizer; each
// route's scope is in template.yaml): one function, routed by API Gateway's route key.
type Contacts struct {
	Service *contacts.Service
	Log     *slog.Logger
}

// maxJSONBody bounds a contact's or a segment's JSON.
const maxJSONBody = 256 << 10

// web.Invoke implements lambda.Handler.
func (h *Contacts) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return web.Invoke(ctx, h.Serve, payload)
}

// Serve answers one request.
func (h *Contacts) Serve(ctx context.Context, r web.Request) web.Response {
	id := r.PathParameters["id"]
	switch r.RouteKey {
	case "GET /contacts":
		return h.list(ctx, r)
	case "PUT /contacts/{id}":
		return h.put(ctx, r, id)
	case "GET /contacts/{id}":
		return h.detail(ctx, r, id)
	case "DELETE /contacts/{id}":
		if err := h.Service.Erase(ctx, id); err != nil {
			return web.APIFail(ctx, h.Log, "erase contact", err)
		}
		return web.NoContent()
	case "GET /contacts/{id}/export":
		x, err := h.Service.Export(ctx, id)
		if err != nil {
			return web.APIFail(ctx, h.Log, "export contact", err)
		}
		return web.JSON(200, x)
	case "GET /contacts/{id}/loyalty":
		n, resp := web.Limit(r)
		if resp != nil {
			return *resp
		}
		l, err := h.Service.Loyalty(ctx, id, r.QueryStringParameters["cursor"], n)
		if err != nil {
			return web.APIFail(ctx, h.Log, "get loyalty", err)
		}
		return web.JSON(200, l)
	case "POST /contacts/import":
		return h.importContacts(ctx, r)
	case "POST /segments":
		var in contacts.SegmentInput
		if resp := web.JSONBody(r, maxJSONBody, &in); resp != nil {
			return *resp
		}
		sg, err := h.Service.CreateSegment(ctx, in)
		if err != nil {
			return web.APIFail(ctx, h.Log, "create segment", err)
		}
		return web.JSON(201, sg)
	case "GET /segments":
		n, resp := web.Limit(r)
		if resp != nil {
			return *resp
		}
		items, next, err := h.Service.ListSegments(ctx, r.QueryStringParameters["cursor"], n)
		if err != nil {
			return web.APIFail(ctx, h.Log, "list segments", err)
		}
		return web.JSON(200, web.List[contacts.Segment]{Items: items, Next: next})
	case "GET /segments/{id}":
		sg, err := h.Service.GetSegment(ctx, id)
		if err != nil {
			return web.APIFail(ctx, h.Log, "get segment", err)
		}
		return web.JSON(200, sg)
	case "PUT /segments/{id}":
		var in contacts.SegmentInput
		if resp := web.JSONBody(r, maxJSONBody, &in); resp != nil {
			return *resp
		}
		sg, err := h.Service.UpdateSegment(ctx, id, in)
		if err != nil {
			return web.APIFail(ctx, h.Log, "update segment", err)
		}
		return web.JSON(200, sg)
	case "DELETE /segments/{id}":
		if err := h.Service.DeleteSegment(ctx, id); err != nil {
			return web.APIFail(ctx, h.Log, "delete segment", err)
		}
		return web.NoContent()
	case "POST /segments/preview":
		return h.preview(ctx, r)
	}
	return web.APIErr(404, "no such route: "+r.RouteKey, nil)
}

func (h *Contacts) list(ctx context.Context, r web.Request) web.Response {
	n, resp := web.Limit(r)
	if resp != nil {
		return *resp
	}
	if addr, ok := r.QueryStringParameters["email"]; ok {
		cs, err := h.Service.ByEmail(ctx, addr)
		if err != nil {
			return web.APIFail(ctx, h.Log, "look up contacts", err)
		}
		items := make([]contacts.View, len(cs))
		for i, c := range cs {
			items[i] = contacts.ViewOf(c)
		}
		return web.JSON(200, web.List[contacts.View]{Items: items})
	}
	items, next, err := h.Service.List(ctx, r.QueryStringParameters["cursor"], n)
	if err != nil {
		return web.APIFail(ctx, h.Log, "list contacts", err)
	}
	return web.JSON(200, web.List[contacts.View]{Items: items, Next: next})
}

func (h *Contacts) put(ctx context.Context, r web.Request, id string) web.Response {
	b, resp := web.JSONBytes(r, maxJSONBody)
	if resp != nil {
		return *resp
	}
	in, err := contacts.DecodeInput(b)
	if err != nil {
		return web.APIFail(ctx, h.Log, "put contact", err)
	}
	c, created, err := h.Service.Put(ctx, id, in)
	if err != nil {
		return web.APIFail(ctx, h.Log, "put contact", err)
	}
	if created {
		return web.JSON(201, contacts.ViewOf(c))
	}
	return web.JSON(200, contacts.ViewOf(c))
}

func (h *Contacts) detail(ctx context.Context, r web.Request, id string) web.Response {
	n, resp := web.Limit(r)
	if resp != nil {
		return *resp
	}
	cursor := 0
	if v := r.QueryStringParameters["cursor"]; v != "" {
		b, err := base64.RawURLEncoding.DecodeString(v)
		if err == nil {
			cursor, err = strconv.Atoi(string(b))
		}
		if err != nil || cursor < 0 {
			return web.APIErr(400, "cursor: not a cursor this API gave", map[string]string{"cursor": "not a cursor this API gave"})
		}
	}
	d, err := h.Service.Detail(ctx, id, cursor, n)
	if err != nil {
		return web.APIFail(ctx, h.Log, "get contact", err)
	}
	if d.Next != "" {
		d.Next = base64.RawURLEncoding.EncodeToString([]byte(d.Next))
	}
	return web.JSON(200, d)
}

func (h *Contacts) importContacts(ctx context.Context, r web.Request) web.Response {
	mt, _, _ := mime.ParseMediaType(web.Header(r, "content-type"))
	b, err := web.Body(r)
	if err != nil {
		return web.APIErr(400, err.Error(), nil)
	}
	res, err := h.Service.Import(ctx, strings.ToLower(mt), b)
	if err != nil {
		return web.APIFail(ctx, h.Log, "import contacts", err)
	}
	return web.JSON(200, res)
}

func (h *Contacts) preview(ctx context.Context, r web.Request) web.Response {
	var in struct {
		Rule json.RawMessage `json:"rule"`
		ID   string          `json:"id"`
	}
	if resp := web.JSONBody(r, maxJSONBody, &in); resp != nil {
		return *resp
	}
	var pv contacts.Preview
	var err error
	switch {
	case (len(in.Rule) > 0) == (in.ID != ""):
		return web.APIErr(400, "give either rule or id", map[string]string{"rule": "give either rule or id"})
	case in.ID != "":
		pv, err = h.Service.PreviewSegment(ctx, in.ID)
	default:
		pv, err = h.Service.PreviewRule(ctx, in.Rule)
	}
	if err != nil {
		return web.APIFail(ctx, h.Log, "preview segment", err)
	}
	return web.JSON(200, pv)
}
