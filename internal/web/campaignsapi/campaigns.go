// Package campaignsapi is the marketer API's campaigns at the HTTP edge.
package campaignsapi

import (
	"context"
	"log/slog"
	"mime"

	"shopmail/internal/campaign"
	"shopmail/internal/campaigns"
	"shopmail/internal/web"
)

// Campaigns serves the campaign routes (behind the JWT authorizer; each route's scope is in
// template.yaml), routed by API Gateway's route key.
type Campaigns struct {
	Service *campaigns.Service
	Log     *slog.Logger
}

// maxBody bounds a campaign's JSON (20 products in a few languages fit in a tenth of it).
const maxBody = 256 << 10

// Invoke implements lambda.Handler.
func (h *Campaigns) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return web.Invoke(ctx, h.Serve, payload)
}

// Serve answers one request.
func (h *Campaigns) Serve(ctx context.Context, r web.Request) web.Response {
	id := r.PathParameters["id"]
	switch r.RouteKey {
	case "POST /campaigns":
		b, resp := web.JSONBytes(r, maxBody)
		if resp != nil {
			return *resp
		}
		c, err := h.Service.Create(ctx, b)
		return h.answer(ctx, 201, c, err, "create campaign")
	case "GET /campaigns":
		n, resp := web.Limit(r)
		if resp != nil {
			return *resp
		}
		items, next, err := h.Service.List(ctx, r.QueryStringParameters["status"], r.QueryStringParameters["cursor"], n)
		if err != nil {
			return web.APIFail(ctx, h.Log, "list campaigns", err)
		}
		return web.JSON(200, web.List[campaign.Campaign]{Items: items, Next: next})
	case "GET /campaigns/{id}":
		c, err := h.Service.Get(ctx, id)
		return h.answer(ctx, 200, c, err, "get campaign")
	case "PATCH /campaigns/{id}":
		// A merge patch says so in its type (RFC 7396); plain JSON is taken too.
		if mt, _, _ := mime.ParseMediaType(web.Header(r, "content-type")); mt == "application/merge-patch+json" {
			r.Headers = map[string]string{"content-type": "application/json"}
		}
		b, resp := web.JSONBytes(r, maxBody)
		if resp != nil {
			return *resp
		}
		c, err := h.Service.Patch(ctx, id, b)
		return h.answer(ctx, 200, c, err, "change campaign")
	case "DELETE /campaigns/{id}":
		if err := h.Service.Delete(ctx, id); err != nil {
			return web.APIFail(ctx, h.Log, "delete campaign", err)
		}
		return web.NoContent()
	case "POST /campaigns/{id}/preview":
		var in struct {
			Locale string `json:"locale"`
		}
		if b, _ := web.Body(r); len(b) > 0 { // the body is optional: English without one
			if resp := web.JSONBody(r, maxBody, &in); resp != nil {
				return *resp
			}
		}
		pv, err := h.Service.Preview(ctx, id, in.Locale)
		if err != nil {
			return web.APIFail(ctx, h.Log, "preview campaign", err)
		}
		return web.JSON(200, pv)
	case "POST /campaigns/{id}/schedule":
		var in campaigns.ScheduleInput
		if resp := web.JSONBody(r, maxBody, &in); resp != nil {
			return *resp
		}
		c, err := h.Service.Schedule(ctx, id, in)
		return h.answer(ctx, 200, c, err, "schedule campaign")
	case "POST /campaigns/{id}/pause":
		c, err := h.Service.Pause(ctx, id)
		return h.answer(ctx, 200, c, err, "pause campaign")
	case "POST /campaigns/{id}/resume":
		c, err := h.Service.Resume(ctx, id)
		return h.answer(ctx, 200, c, err, "resume campaign")
	case "POST /campaigns/{id}/cancel":
		c, err := h.Service.Cancel(ctx, id)
		return h.answer(ctx, 200, c, err, "cancel campaign")
	case "POST /campaigns/{id}/retry-failed":
		c, err := h.Service.RetryFailed(ctx, id)
		return h.answer(ctx, 202, c, err, "retry failed sends")
	case "POST /campaigns/{id}/test":
		var in struct {
			Addresses []string `json:"addresses"`
			Locale    string   `json:"locale"`
		}
		if resp := web.JSONBody(r, maxBody, &in); resp != nil {
			return *resp
		}
		res, err := h.Service.Test(ctx, id, in.Addresses, in.Locale)
		if err != nil {
			return web.APIFail(ctx, h.Log, "test campaign", err)
		}
		return web.JSON(200, res)
	case "GET /campaigns/{id}/stats":
		st, err := h.Service.Stats(ctx, id)
		if err != nil {
			return web.APIFail(ctx, h.Log, "campaign stats", err)
		}
		return web.JSON(200, st)
	}
	return web.APIErr(404, "no such route: "+r.RouteKey, nil)
}

func (h *Campaigns) answer(ctx context.Context, status int, c campaign.Campaign, err error, what string) web.Response {
	if err != nil {
		return web.APIFail(ctx, h.Log, what, err)
	}
	return web.JSON(status, c)
}
