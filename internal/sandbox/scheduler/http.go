package scheduler

import (
	"cmp"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// routes maps the REST bindings of the operations, as the Smithy model declares them
// (@http traits in aws-models/scheduler.json).
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("POST /schedules/{Name}", operation(s.createSchedule))
	mux.Handle("GET /schedules/{Name}", operation(s.getSchedule))
	mux.Handle("PUT /schedules/{Name}", operation(s.updateSchedule))
	mux.Handle("DELETE /schedules/{Name}", operation(s.deleteSchedule))
	mux.Handle("GET /schedules", operation(s.listSchedules))
	mux.Handle("/", operation(unknownOperation))
	return mux
}

// ServeHTTP answers the EventBridge Scheduler API requests that the SDK sends to the endpoint.
// Request signatures are not checked.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// operation serves op: a JSON answer with HTTP 200, an empty one when op returns nil, or an
// error answer.
func operation(op func(r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-RequestId", requestID())
		out, err := op(r)
		switch {
		case err != nil:
			writeError(w, err)
		case out == nil:
			w.WriteHeader(http.StatusOK)
		default:
			writeJSON(w, http.StatusOK, out)
		}
	})
}

// createSchedule serves POST /schedules/{Name}. A retry of a CreateSchedule, with the same
// ClientToken and the same input, gets the schedule's ARN again; any other request for a name
// taken in the group gets a ConflictException.
func (s *Server) createSchedule(r *http.Request) (any, error) {
	in, expr, err := readInput(r)
	if err != nil {
		return nil, err
	}
	token := in.takeToken()
	k := key{*in.GroupName, r.PathValue("Name")}
	request := canonical(k.name, in)
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.schedules[k]; ok {
		if token == "" || token != e.token || request != e.request {
			return nil, conflict(k)
		}
		return arnOutput{s.arn(k)}, nil
	}
	e := newEntry(k, in, expr, now)
	e.token, e.request = token, request
	e.plan(now)
	s.schedules[k] = e
	return arnOutput{s.arn(k)}, nil
}

// updateSchedule serves PUT /schedules/{Name}: the request replaces the whole definition,
// members left out taking their defaults, and the schedule is planned again from now.
func (s *Server) updateSchedule(r *http.Request) (any, error) {
	in, expr, err := readInput(r)
	if err != nil {
		return nil, err
	}
	in.takeToken() // a retried update changes nothing more
	k := key{*in.GroupName, r.PathValue("Name")}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.schedules[k]
	if !ok {
		return nil, notFound(k)
	}
	e.define(in, expr, now)
	e.plan(now)
	return arnOutput{s.arn(k)}, nil
}

// getSchedule serves GET /schedules/{Name}?groupName=.
func (s *Server) getSchedule(r *http.Request) (any, error) {
	k, err := scheduleKey(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.schedules[k]
	if !ok {
		return nil, notFound(k)
	}
	return scheduleOutput{
		scheduleInput:        e.input,
		Arn:                  s.arn(k),
		Name:                 k.name,
		CreationDate:         epoch(e.CreatedAt),
		LastModificationDate: epoch(e.modified),
	}, nil
}

// deleteSchedule serves DELETE /schedules/{Name}?groupName=&clientToken=.
func (s *Server) deleteSchedule(r *http.Request) (any, error) {
	k, err := scheduleKey(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.schedules[k]; !ok {
		return nil, notFound(k)
	}
	delete(s.schedules, k)
	return nil, nil
}

// listSchedules serves GET /schedules?ScheduleGroup=&NamePrefix=&State=&MaxResults=&NextToken=,
// in group and name order.
func (s *Server) listSchedules(r *http.Request) (any, error) {
	q := r.URL.Query()
	group, prefix, state := query(q, "ScheduleGroup"), query(q, "NamePrefix"), query(q, "State")
	limit, token := query(q, "MaxResults"), query(q, "NextToken")
	var v violations
	v.text(group, "groupName", 1, 64, namePattern)
	v.text(prefix, "namePrefix", 1, 64, namePrefixPattern)
	v.oneOf(state, "state", StateEnabled, StateDisabled)
	v.text(token, "nextToken", 1, 2048, nil)
	size, err := strconv.ParseInt(cmp.Or(deref(limit), "100"), 10, 64)
	if err != nil {
		v.add(limit, "maxResults", "be a whole number")
	} else {
		v.between(&size, "maxResults", 1, 100)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	after, err := decodeNextToken(token)
	if err != nil {
		return nil, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*entry
	for _, e := range s.schedules {
		if keep(e, group, prefix, state) && compareKeys(e.key(), after) > 0 {
			found = append(found, e)
		}
	}
	slices.SortFunc(found, func(a, b *entry) int { return compareKeys(a.key(), b.key()) })
	out := listOutput{Schedules: []scheduleSummary{}}
	for _, e := range found[:min(len(found), int(size))] {
		out.Schedules = append(out.Schedules, s.summary(e))
	}
	if len(found) > int(size) {
		last := found[size-1]
		next := base64.RawURLEncoding.EncodeToString([]byte(last.Group + "\x00" + last.Name))
		out.NextToken = &next
	}
	return out, nil
}

// decodeNextToken returns the key of the last schedule of the previous page, which the
// NextToken encodes, or the zero key for the first page.
func decodeNextToken(token *string) (key, error) {
	if token == nil {
		return key{}, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(*token)
	group, name, ok := strings.Cut(string(b), "\x00")
	if err != nil || !ok {
		return key{}, invalid("Invalid NextToken %s.", *token)
	}
	return key{group, name}, nil
}

// compareKeys orders schedules by group, then name.
func compareKeys(a, b key) int {
	return cmp.Or(cmp.Compare(a.group, b.group), cmp.Compare(a.name, b.name))
}

// keep tells whether e passes the filters of ListSchedules that are set.
func keep(e *entry, group, prefix, state *string) bool {
	return (group == nil || e.Group == *group) &&
		(prefix == nil || strings.HasPrefix(e.Name, *prefix)) &&
		(state == nil || e.State == *state)
}

// summary returns e as ListSchedules lists it.
func (s *Server) summary(e *entry) scheduleSummary {
	sum := scheduleSummary{
		Arn:                  s.arn(e.key()),
		CreationDate:         epoch(e.CreatedAt),
		GroupName:            e.Group,
		LastModificationDate: epoch(e.modified),
		Name:                 e.Name,
		State:                e.State,
	}
	sum.Target.Arn = e.Target.Arn
	return sum
}

// unknownOperation answers the requests that match no operation the sandbox serves.
func unknownOperation(r *http.Request) (any, error) {
	return nil, &apiError{http.StatusNotFound, "UnknownOperationException",
		fmt.Sprintf("The sandbox's EventBridge Scheduler does not serve %s %s.", r.Method, r.URL.Path)}
}

// readInput reads the body of CreateSchedule or UpdateSchedule, checks it with the schedule
// name in the path, and returns it normalized, with its expression parsed.
func readInput(r *http.Request) (*scheduleInput, expression, error) {
	var v violations
	name := r.PathValue("Name")
	v.text(&name, "name", 1, 64, namePattern)
	in := new(scheduleInput)
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody)).Decode(in); err != nil {
		return nil, expression{}, invalid("Could not read the request body: %v.", err)
	}
	v.requireMembers(in)
	expr, err := check(in, v)
	if err != nil {
		return nil, expression{}, err
	}
	normalize(in)
	return in, expr, nil
}

// scheduleKey reads the schedule name in the path and the groupName (and clientToken) in the
// query of GetSchedule and DeleteSchedule.
func scheduleKey(r *http.Request) (key, error) {
	q := r.URL.Query()
	k := key{cmp.Or(q.Get("groupName"), defaultGroup), r.PathValue("Name")}
	var v violations
	v.text(&k.name, "name", 1, 64, namePattern)
	v.text(query(q, "groupName"), "groupName", 1, 64, namePattern)
	v.text(query(q, "clientToken"), "clientToken", 1, 64, tokenPattern)
	return k, v.err()
}

// query returns the value of a query parameter, or nil when it is not there.
func query(q url.Values, name string) *string {
	if !q.Has(name) {
		return nil
	}
	v := q.Get(name)
	return &v
}

// writeError writes err as the service writes errors: the status, the code in the
// X-Amzn-ErrorType header and {"Message": ...} in the body.
func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{http.StatusInternalServerError, "InternalServerException", err.Error()}
	}
	w.Header().Set("X-Amzn-ErrorType", e.code)
	writeJSON(w, e.status, errorOutput{e.message})
}

// writeJSON writes v as a JSON answer with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client has gone if this fails
}

// requestID returns a random request id, as x-amzn-RequestId carries one.
func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
