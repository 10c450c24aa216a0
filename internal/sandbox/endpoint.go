package sandbox

import (
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
)

var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// service tells which AWS service a request is for: the signing name in its SigV4 credential
// scope, else its X-Amz-Target prefix or path (for unsigned requests such as curl's).
func service(r *http.Request) string {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	target := r.Header.Get("X-Amz-Target")
	switch {
	case strings.HasPrefix(target, "DynamoDB_"):
		return "dynamodb"
	case strings.HasPrefix(target, "AWSEvents."):
		return "events"
	case strings.HasPrefix(target, "AmazonSQS."):
		return "sqs"
	case strings.HasPrefix(target, "secretsmanager."):
		return "secretsmanager"
	case strings.HasPrefix(r.URL.Path, "/v2/email/"):
		return "ses"
	case strings.HasPrefix(r.URL.Path, "/schedules"):
		return "scheduler"
	}
	return ""
}

// loopback reports whether a Host header names this machine's loopback interface: localhost,
// *.localhost (RFC 6761), 127.0.0.0/8 or [::1], with or without a port.
func loopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// awsJSONError writes an error the way AWS JSON protocols (1.0, 1.1) do.
func awsJSONError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
}

// awsEndpoint serves every AWS service the functions use on one address, as
// AWS_ENDPOINT_URL expects.
func (s *Sandbox) awsEndpoint() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// AWS SDKs and the CLI send no Origin; a browser does. A web page must not drive the
		// sandbox's AWS (CSRF), nor reach it under another host name (DNS rebinding).
		if o := r.Header.Get("Origin"); o != "" && o != s.appURL {
			awsJSONError(w, http.StatusForbidden, "AccessDeniedException", "the sandbox's AWS endpoint refuses requests from web pages")
			return
		}
		if !s.anyHost && !loopback(r.Host) {
			awsJSONError(w, http.StatusForbidden, "AccessDeniedException", "the sandbox's AWS endpoint answers on a loopback address only (start it with AWS_ADDR=0.0.0.0:4566 to reach it from Docker)")
			return
		}
		if r.URL.Path == "/_aws/ses" {
			s.serveSentMail(w, r)
			return
		}
		svc := service(r)
		serve := map[string]func(http.ResponseWriter, *http.Request){
			"dynamodb": s.dynamo.ServeHTTP, "ses": s.ses.ServeHTTP, "events": s.serveEvents,
			"scheduler": s.sched.ServeHTTP, "sqs": s.serveSQS, "secretsmanager": s.serveSecrets,
		}[svc]
		switch {
		case serve != nil:
			s.meterAWS(w, r, svc, serve)
		default:
			awsJSONError(w, http.StatusBadRequest, "UnknownOperationException",
				"the sandbox serves DynamoDB, SES v2, EventBridge PutEvents, EventBridge Scheduler, SQS (JSON protocol; SendMessage over the query protocol too), Secrets Manager GetSecretValue and PutSecretValue, and LocalStack's /_aws/ses")
		}
	})
}
