package web

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"log/slog"
	"mime"
	"strconv"
)

// The marketer API's JSON conventions: errors are {"error": {"code", "message", "fields"}}
// (infra/openapi/openapi.json), lists are {"items": [...], "next": "<cursor>"}.

// APIError is the body of an API error.
type APIError struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

var codes = map[int]string{
	400: "invalid", 404: "not_found", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
	422: "unprocessable", 503: "unavailable",
}

// APIFail answers a failed API request: the domain's message and the fields at fault for a
// bad request, a retry hint otherwise (logged once).
func APIFail(ctx context.Context, log *slog.Logger, what string, err error) Response {
	status := Status(err)
	if status >= 500 {
		log.ErrorContext(ctx, what+" failed", "error", err)
		return APIErr(503, "try again in a moment", nil)
	}
	var fe interface{ FieldProblems() map[string]string }
	if errors.As(err, &fe) {
		return APIErr(status, err.Error(), fe.FieldProblems())
	}
	return APIErr(status, problem(err), nil)
}

// APIErr is an API error answer.
func APIErr(status int, msg string, fields map[string]string) Response {
	b, _ := json.Marshal(map[string]APIError{"error": {Code: codes[status], Message: msg, Fields: fields}})
	return Response{StatusCode: status, Headers: headers("application/json"), Body: string(b)}
}

// NoContent is the answer to a request that succeeded with nothing to say (204).
func NoContent() Response { return Response{StatusCode: 204, Headers: headers("application/json")} }

// List is a page of a list.
type List[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

// Body is the request's body, decoded from base64 when API Gateway encoded it.
func Body(r Request) ([]byte, error) {
	if !r.IsBase64Encoded {
		return []byte(r.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(r.Body)
	if err != nil {
		return nil, errors.New("the body is not valid base64")
	}
	return b, nil
}

// JSONBytes reads a JSON request body of at most max bytes.
func JSONBytes(r Request, max int) ([]byte, *Response) {
	fail := func(status int, msg string) ([]byte, *Response) {
		resp := APIErr(status, msg, nil)
		return nil, &resp
	}
	if mt, _, _ := mime.ParseMediaType(Header(r, "content-type")); mt != "application/json" && mt != "" {
		return fail(415, "send application/json")
	}
	b, err := Body(r)
	if err != nil {
		return fail(400, err.Error())
	}
	if len(b) > max {
		return fail(413, "the body is larger than "+strconv.Itoa(max)+" bytes")
	}
	return b, nil
}

// JSONBody reads a JSON request body of at most max bytes into v, strictly (unknown fields
// are refused).
func JSONBody(r Request, max int, v any) *Response {
	b, resp := JSONBytes(r, max)
	if resp != nil {
		return resp
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		resp := APIErr(400, "the body is not the JSON expected: "+err.Error(), nil)
		return &resp
	}
	if dec.More() {
		resp := APIErr(400, "the body has more than one JSON value", nil)
		return &resp
	}
	return nil
}

// Limit reads the limit query parameter: 1..100, default 50.
func Limit(r Request) (int, *Response) {
	v := r.QueryStringParameters["limit"]
	if v == "" {
		return 50, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		resp := APIErr(400, "limit: a whole number from 1 to 100", map[string]string{"limit": "a whole number from 1 to 100"})
		return 0, &resp
	}
	return n, nil
}
