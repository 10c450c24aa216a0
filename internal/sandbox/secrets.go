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
	created        time.Time
}

// loadSecrets gives every secret of the template a value, as CloudFormation does: its
// SecretString, or one made by GenerateSecretString. A restored state replaces them (Load).
func (s *Sandbox) loadSecrets() error {
	s.secrets = map[string]*secret{}
	for id, r := range s.tmpl.Resources {
		if r.Type != "AWS::SecretsManager::Secret" {
			continue
		}
		v, err := s.secretValue(r.Properties)
		if err != nil {
			return fmt.Errorf("secret %s: %w", id, err)
		}
		s.secrets[id] = &secret{id: id, arn: s.arn("secretsmanager", "secret:"+id+"-Sandbx"), value: v, created: s.clock.Now()}
	}
	return nil
}

func (s *Sandbox) secretValue(props map[string]any) (string, error) {
	if v, ok := props["SecretString"]; ok {
		return s.tmpl.ResolveString(v, s.resolver())
	}
	gen, _ := props["GenerateSecretString"].(map[string]any)
	length := 32
	if n, ok := gen["PasswordLength"].(int); ok {
		length = n
	}
	chars := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	if gen["ExcludePunctuation"] != true {
		chars += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	}
	if ex, ok := gen["ExcludeCharacters"].(string); ok {
		chars = strings.Map(func(r rune) rune {
			if strings.ContainsRune(ex, r) {
				return -1
			}
			return r
		}, chars)
	}
	var b strings.Builder
	for range length {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(chars))))
		if err != nil {
			return "", err
		}
		b.WriteByte(chars[i.Int64()])
	}
	tmpl, _ := gen["SecretStringTemplate"].(string)
	key, _ := gen["GenerateStringKey"].(string)
	if tmpl == "" || key == "" {
		return b.String(), nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(tmpl), &m); err != nil {
		return "", fmt.Errorf("SecretStringTemplate: %w", err)
	}
	m[key] = b.String()
	out, err := json.Marshal(m)
	return string(out), err
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
