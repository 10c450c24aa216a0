// Package openapi holds the OpenAPI 3.1 description of the marketer API (openapi.json), so that
// the sandbox can serve it and tests can check the API against it (package openapitest).
//
// It only embeds the document: the validator, and what it links, stays out of every binary
// that serves the API.
package openapi

import _ "embed"

// Document is openapi.json: the marketer API's routes behind the JWT authorizer, as
// template.yaml declares them, with their scopes, parameters, bodies and answers.
//
//go:embed openapi.json
var Document []byte
