package sandbox

// SES v2: the emulator is the sesv2 package; its events go onto the default bus here, as
// SES's EventBridge destination puts them.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"sort"
	"strings"

	"shopmail/internal/sandbox/sesv2"
)

// publishSES puts an SES event on the default bus, as SES's EventBridge destination does.
func (s *Sandbox) publishSES(ctx context.Context, detailType string, detail []byte) {
	s.publish(ctx, "default", "aws.ses", detailType, detail, nil, s.clock.Now())
}

// configurationSets returns the names of the template's SES configuration sets, as the
// functions see them (their Name, else what a Ref to them gives in the sandbox): the only ones
// SendEmail accepts. None is an empty list, not nil, so that every name is refused.
func (s *Sandbox) configurationSets() ([]string, error) {
	names := []string{}
	for id, r := range s.tmpl.Resources {
		if r.Type != "AWS::SES::ConfigurationSet" {
			continue
		}
		name := s.resolver().Resource(id)
		if v, ok := r.Properties["Name"]; ok {
			var err error
			if name, err = s.tmpl.ResolveString(v, s.resolver()); err != nil {
				return nil, fmt.Errorf("configuration set %s: %w", id, err)
			}
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// sentEmail is a sent message as LocalStack's /_aws/ses lists it.
type sentEmail struct {
	ID          string          `json:"Id"`
	Region      string          `json:"Region"`
	Source      string          `json:"Source"`
	Destination sentDestination `json:"Destination"`
	Subject     string          `json:"Subject"`
	Body        *sentBody       `json:"Body,omitempty"`
	RawData     *string         `json:"RawData,omitempty"`
	Timestamp   string          `json:"Timestamp"`
}

type sentDestination struct {
	ToAddresses  []string `json:"ToAddresses,omitempty"`
	CcAddresses  []string `json:"CcAddresses,omitempty"`
	BccAddresses []string `json:"BccAddresses,omitempty"`
}

type sentBody struct {
	TextPart *string `json:"text_part"`
	HTMLPart *string `json:"html_part"`
}

// serveSentMail serves LocalStack's view of the sent mail, so that testers' tools written for
// LocalStack work against the sandbox: GET /_aws/ses lists {"messages": [...]}, filtered by
// ?id= (message id) and ?email= (the Source address); DELETE /_aws/ses?id= forgets one
// message, without id every message, and answers 204.
func (s *Sandbox) serveSentMail(w http.ResponseWriter, r *http.Request) {
	id, email := r.URL.Query().Get("id"), r.URL.Query().Get("email")
	switch r.Method {
	case http.MethodGet:
		list := []sentEmail{}
		for _, m := range s.ses.Messages() {
			if (id == "" || m.ID == id) && (email == "" || sentFrom(m, email)) {
				list = append(list, localStackView(m))
			}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"messages": list})
	case http.MethodDelete:
		s.ses.Delete(id)
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, DELETE")
		awsJSONError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "/_aws/ses answers GET and DELETE")
	}
}

// localStackView returns m as LocalStack records a sent email: Body for simple content,
// RawData (the MIME message) for raw.
func localStackView(m sesv2.Message) sentEmail {
	e := sentEmail{
		ID: m.ID, Region: m.Region, Source: m.From, Subject: m.Subject,
		Destination: sentDestination{ToAddresses: m.To, CcAddresses: m.Cc, BccAddresses: m.Bcc},
		Timestamp:   m.SentAt.UTC().Format("2006-01-02T15:04:05"),
	}
	if e.Region == "" {
		e.Region = "us-east-1"
	}
	if m.Body != nil {
		e.Body = &sentBody{TextPart: m.Body.Text, HTMLPart: m.Body.HTML}
	} else {
		raw := string(m.Raw)
		e.RawData = &raw
	}
	return e
}

// sentFrom reports whether m's Source is email: as given, or its bare address.
func sentFrom(m sesv2.Message, email string) bool {
	if m.From == email {
		return true
	}
	a, err := mail.ParseAddress(m.From)
	return err == nil && strings.EqualFold(a.Address, email)
}
