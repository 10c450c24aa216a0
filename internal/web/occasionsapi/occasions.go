// Package occasionsapi is the marketer API's occasion calendar at the HTTP edge.
package occasionsapi

import (
	"context"
	"log/slog"
	"mime"

	"shopmail/internal/occasion"
	"shopmail/internal/occasions"
	"shopmail/internal/web"
)

// Occasions serves the occasion routes (behind the JWT authorizer; each route's scope is in
// template.yaml), routed by API Gateway's route key.
type Occasions struct {
	Service *occasions.Service
	Log     *slog.Logger
}

// maxBody bounds an occasion's JSON; a lunar table of 30 years is about 25 KB.
const maxBody = 64 << 10

// Serve answers one request.
func (h *Occasions) Serve(ctx context.Context, r web.Request) web.Response {
	id := r.PathParameters["id"]
	switch r.RouteKey {
	case "GET /occasions":
		list, err := h.Service.List(ctx)
		if err != nil {
			return web.APIFail(ctx, h.Log, "list occasions", err)
		}
		return web.JSON(200, web.List[occasion.Occasion]{Items: list})
	case "POST /occasions":
		b, resp := web.JSONBytes(r, maxBody)
		if resp != nil {
			return *resp
		}
		o, err := h.Service.Create(ctx, b)
		return h.answer(ctx, 201, o, err, "create occasion")
	case "GET /occasions/preview":
		pv, err := h.Service.Preview(ctx, r.QueryStringParameters["date"])
		if err != nil {
			return web.APIFail(ctx, h.Log, "preview occasions", err)
		}
		return web.JSON(200, pv)
	case "GET /occasions/lunar-table":
		t, err := h.Service.LunarTable(ctx)
		if err != nil {
			return web.APIFail(ctx, h.Log, "get lunar table", err)
		}
		return web.JSON(200, t)
	case "PUT /occasions/lunar-table":
		b, resp := web.JSONBytes(r, maxBody)
		if resp != nil {
			return *resp
		}
		t, err := h.Service.PutLunarTable(ctx, b)
		if err != nil {
			return web.APIFail(ctx, h.Log, "put lunar table", err)
		}
		return web.JSON(200, t)
	case "GET /occasions/{id}":
		o, err := h.Service.Get(ctx, id)
		return h.answer(ctx, 200, o, err, "get occasion")
	case "PATCH /occasions/{id}":
		if mt, _, _ := mime.ParseMediaType(web.Header(r, "content-type")); mt == "application/merge-patch+json" {
			r.Headers = map[string]string{"content-type": "application/json"}
		}
		b, resp := web.JSONBytes(r, maxBody)
		if resp != nil {
			return *resp
		}
		o, err := h.Service.Patch(ctx, id, b)
		return h.answer(ctx, 200, o, err, "change occasion")
	case "DELETE /occasions/{id}":
		if err := h.Service.Delete(ctx, id); err != nil {
			return web.APIFail(ctx, h.Log, "delete occasion", err)
		}
		return web.NoContent()
	}
	return web.APIErr(404, "no such route: "+r.RouteKey, nil)
}

func (h *Occasions) answer(ctx context.Context, status int, o occasion.Occasion, err error, what string) web.Response {
	if err != nil {
		return web.APIFail(ctx, h.Log, what, err)
	}
	return web.JSON(status, o)
}
