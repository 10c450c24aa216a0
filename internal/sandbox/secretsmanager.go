package sandbox

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"time"
)

// secret is an AWS::SecretsManager::Secret of the template, with its value.
type secret struct {
	id, arn, value string
	generated      bool // made by GenerateSecretString, so kept across restarts (Save, Load)
	created        time.Time
}

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
		sec := &secret{id: id, arn: s.secretARN(id), created: s.clock.Now()}
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

// serveSecrets serves Secrets Manager's GetSecretValue (AWS JSON 1.1), the only call the
// functions make, for the template's secrets by ARN or name.
func (s *Sandbox) serveSecrets(w http.ResponseWriter, r *http.Request) {
	if op := r.Header.Get("X-Amz-Target"); op != "secretsmanager.GetSecretValue" {
		awsJSONError(w, http.StatusBadRequest, "UnsupportedOperation", fmt.Sprintf("the sandbox does not serve %q", op))
		return
	}
	var in struct{ SecretId string }
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&in); err != nil {
		awsJSONError(w, http.StatusBadRequest, "InvalidRequestException", "malformed request: "+err.Error())
		return
	}
	for _, sec := range s.secrets {
		if in.SecretId == sec.id || in.SecretId == sec.arn {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			json.NewEncoder(w).Encode(map[string]any{
				"ARN": sec.arn, "Name": sec.id, "SecretString": sec.value, "VersionId": "00000000-0000-0000-0000-000000000001",
				"VersionStages": []string{"AWSCURRENT"}, "CreatedDate": float64(sec.created.Unix()),
			})
			return
		}
	}
	awsJSONError(w, http.StatusBadRequest, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}
