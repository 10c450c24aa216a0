package sandbox

import (
	"cmp"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"strings"
	"time"
)

// secret is an AWS::SecretsManager::Secret of the template, with its current value (version
// stage AWSCURRENT) and, once PutSecretValue replaced it, the one before (AWSPREVIOUS).
// Sandbox.mu guards what PutSecretValue changes.
type secret struct {
	id, arn, value string
	generated      bool // made by GenerateSecretString, so kept across restarts (Save, Load)
	created        time.Time
	versionID      string         // of value; initialVersion until PutSecretValue
	previous       *secretVersion // AWSPREVIOUS, nil before the first PutSecretValue
}

// secretVersion is a version of a secret other than the current one.
type secretVersion struct {
	id, value string
	created   time.Time
}

// initialVersion is the version id of the value the template gives a secret.
const initialVersion = "00000000-0000-0000-0000-000000000001"

// Version stages Secrets Manager labels versions with.
const (
	stageCurrent  = "AWSCURRENT"
	stagePrevious = "AWSPREVIOUS"
)

// secretARN is the ARN of the template's secret id. Secrets Manager ends a secret's ARN with a
// random 6-character suffix; the sandbox's is fixed, so that ARNs stay the same across runs.
func (s *Sandbox) secretARN(id string) string { return s.arn("secretsmanager", "secret:"+id+"-Sandbx") }

// loadSecrets gives every secret of the template a value, as CloudFormation does: its
// SecretString, else one made as GenerateSecretString says (a random 32-character password
// without either). A restored state replaces the generated ones (Load).
func (s *Sandbox) loadSecrets() error {
	s.secrets = map[string]*secret{}
	for id, r := range s.tmpl.Resources {
		if r.Type != "AWS::SecretsManager::Secret" {
			continue
		}
		sec := &secret{id: id, arn: s.secretARN(id), created: s.clock.Now(), versionID: initialVersion}
		var err error
		if v, ok := r.Properties["SecretString"]; ok {
			sec.value, err = s.tmpl.ResolveString(v, s.resolver())
		} else {
			gen, _ := r.Properties["GenerateSecretString"].(map[string]any)
			sec.value, err = generateSecret(gen)
			sec.generated = true
		}
		if err != nil {
			return fmt.Errorf("secret %s: %w", id, err)
		}
		s.secrets[id] = sec
	}
	return nil
}

// Character classes of a generated secret (Secrets Manager's GetRandomPassword).
const (
	upper       = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lower       = "abcdefghijklmnopqrstuvwxyz"
	digits      = "0123456789"
	punctuation = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
)

// generateSecret makes a secret's value as CloudFormation does for GenerateSecretString
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-secretsmanager-secret-generatesecretstring.html):
// a random password of PasswordLength characters (32 by default) from the classes not
// excluded, less ExcludeCharacters, with one of each class unless RequireEachIncludedType is
// false; put under GenerateStringKey in SecretStringTemplate when both are given.
func generateSecret(gen map[string]any) (string, error) {
	length := 32
	if n, ok := gen["PasswordLength"].(int); ok {
		length = n
	}
	exclude, _ := gen["ExcludeCharacters"].(string)
	without := func(chars string) string {
		return strings.Map(func(r rune) rune {
			if strings.ContainsRune(exclude, r) {
				return -1
			}
			return r
		}, chars)
	}
	var classes []string
	for _, c := range []struct{ chars, excluded string }{
		{upper, "ExcludeUppercase"}, {lower, "ExcludeLowercase"}, {digits, "ExcludeNumbers"}, {punctuation, "ExcludePunctuation"},
	} {
		if chars := without(c.chars); !flag(gen, c.excluded) && chars != "" {
			classes = append(classes, chars)
		}
	}
	if flag(gen, "IncludeSpace") {
		classes = append(classes, " ")
	}
	if len(classes) == 0 || length < 1 || length > 4096 {
		return "", fmt.Errorf("GenerateSecretString: no characters to make %d of", length)
	}
	all := strings.Join(classes, "")
	b := make([]byte, length)
	for i := range b {
		c, err := pick(all)
		if err != nil {
			return "", err
		}
		b[i] = c
	}
	// One of each class, in random places, unless told otherwise.
	require := gen["RequireEachIncludedType"] == nil || flag(gen, "RequireEachIncludedType")
	if require && length >= len(classes) {
		places, err := randomPlaces(length, len(classes))
		if err != nil {
			return "", err
		}
		for i, class := range classes {
			if b[places[i]], err = pick(class); err != nil {
				return "", err
			}
		}
	}
	tmpl, _ := gen["SecretStringTemplate"].(string)
	key, _ := gen["GenerateStringKey"].(string)
	if tmpl == "" || key == "" {
		return string(b), nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(tmpl), &m); err != nil {
		return "", fmt.Errorf("SecretStringTemplate: %w", err)
	}
	m[key] = string(b)
	out, err := json.Marshal(m)
	return string(out), err
}

// flag reads a boolean property, given as a YAML boolean or a string.
func flag(m map[string]any, name string) bool {
	return m[name] == true || m[name] == "true"
}

// pick returns a random character of chars.
func pick(chars string) (byte, error) {
	i, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
	if err != nil {
		return 0, err
	}
	return chars[i.Int64()], nil
}

// randomPlaces returns k distinct random indexes below n.
func randomPlaces(n, k int) ([]int, error) {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for i := range k { // a partial Fisher-Yates shuffle
		j, err := rand.Int(rand.Reader, big.NewInt(int64(n-i)))
		if err != nil {
			return nil, err
		}
		idx[i], idx[i+int(j.Int64())] = idx[i+int(j.Int64())], idx[i]
	}
	return idx[:k], nil
}

// serveSecrets serves the Secrets Manager calls (AWS JSON 1.1) on the template's secrets, by
// ARN or name: GetSecretValue, the only one the functions make, by version stage or id, and
// PutSecretValue, which makes a new AWSCURRENT version and the old one AWSPREVIOUS, as a
// rotation does.
func (s *Sandbox) serveSecrets(w http.ResponseWriter, r *http.Request) {
	var in secretRequest
	op := r.Header.Get("X-Amz-Target")
	if op != "secretsmanager.GetSecretValue" && op != "secretsmanager.PutSecretValue" {
		awsJSONError(w, http.StatusBadRequest, "UnsupportedOperation", fmt.Sprintf("the sandbox does not serve %q", op))
		return
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&in); err != nil {
		awsJSONError(w, http.StatusBadRequest, "InvalidRequestException", "malformed request: "+err.Error())
		return
	}
	sec := s.findSecret(in.SecretId)
	if sec == nil {
		awsJSONError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
		return
	}
	s.mu.Lock()
	var out map[string]any
	var code, message string
	if op == "secretsmanager.GetSecretValue" {
		out, code, message = s.getSecretValue(sec, in)
	} else {
		out, code, message = s.putSecretValue(sec, in)
	}
	s.mu.Unlock()
	if code != "" {
		awsJSONError(w, http.StatusBadRequest, code, message)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

// secretRequest holds the members of GetSecretValue and PutSecretValue the sandbox reads.
type secretRequest struct {
	SecretId, VersionId, VersionStage string
	ClientRequestToken, SecretString  string
	SecretBinary                      []byte
	VersionStages                     []string
}

// findSecret returns the template's secret named or ARN'd id, or nil.
func (s *Sandbox) findSecret(id string) *secret {
	for _, sec := range s.secrets {
		if id == sec.id || id == sec.arn {
			return sec
		}
	}
	return nil
}

// getSecretValue answers GetSecretValue: the version with VersionId and VersionStage (both
// must name it when both are given), AWSCURRENT without either. s.mu is held.
func (s *Sandbox) getSecretValue(sec *secret, in secretRequest) (map[string]any, string, string) {
	current := secretVersion{id: sec.versionID, value: sec.value, created: sec.created}
	var v *secretVersion
	stage := in.VersionStage
	switch {
	case stage == "" && in.VersionId == "", stage == stageCurrent:
		v, stage = &current, stageCurrent
	case stage == stagePrevious:
		v = sec.previous
	case stage == "" && in.VersionId == current.id:
		v, stage = &current, stageCurrent
	case stage == "" && sec.previous != nil && in.VersionId == sec.previous.id:
		v, stage = sec.previous, stagePrevious
	}
	switch {
	case v == nil && in.VersionStage != "":
		return nil, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for staging label: " + in.VersionStage
	case v == nil || in.VersionId != "" && in.VersionId != v.id:
		return nil, "ResourceNotFoundException", "Secrets Manager can't find the specified secret value for VersionId: " + in.VersionId
	}
	return map[string]any{
		"ARN": sec.arn, "Name": sec.id, "SecretString": v.value, "VersionId": v.id,
		"VersionStages": []string{stage}, "CreatedDate": float64(v.created.Unix()),
	}, "", ""
}

// putSecretValue answers PutSecretValue with a SecretString: the new version becomes
// AWSCURRENT and the current one AWSPREVIOUS; the one before loses its label. A repeated
// ClientRequestToken with the same value changes nothing, with another value it is refused,
// as Secrets Manager does. s.mu is held.
func (s *Sandbox) putSecretValue(sec *secret, in secretRequest) (map[string]any, string, string) {
	switch {
	case in.SecretString == "" || len(in.SecretBinary) > 0:
		return nil, "InvalidRequestException", "the sandbox stores a SecretString only: give one, without SecretBinary"
	case len(in.VersionStages) > 0 && !slices.Equal(in.VersionStages, []string{stageCurrent}):
		return nil, "InvalidRequestException", "the sandbox labels a new version AWSCURRENT only"
	}
	id := cmp.Or(in.ClientRequestToken, newUUID())
	answer := map[string]any{"ARN": sec.arn, "Name": sec.id, "VersionId": id, "VersionStages": []string{stageCurrent}}
	switch {
	case id == sec.versionID && in.SecretString == sec.value:
		return answer, "", ""
	case id == sec.versionID || sec.previous != nil && id == sec.previous.id:
		return nil, "ResourceExistsException", "You can't modify an existing version, you can only create a new version."
	}
	sec.previous = &secretVersion{id: sec.versionID, value: sec.value, created: sec.created}
	sec.versionID, sec.value, sec.created = id, in.SecretString, s.clock.Now()
	return answer, "", ""
}

// newUUID returns a random (version 4) UUID, as Secrets Manager's version ids are.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
