package wire_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"shopmail/internal/samtemplate"
)

// The AWS SDK package of each IAM service prefix a policy statement names. iam:PassRole hands
// a role to another service (Scheduler) and needs no client of its own.
var clientOf = map[string]string{
	"dynamodb": "dynamodb", "ses": "sesv2", "sqs": "sqs", "secretsmanager": "secretsmanager",
	"events": "eventbridge", "scheduler": "scheduler", "iam": "",
}

// The services SAM's policy templates allow.
var templateAllows = map[string]string{
	"SQSSendMessagePolicy":                  "sqs",
	"AWSSecretsManagerGetSecretValuePolicy": "secretsmanager",
	"EventBridgePutEventsPolicy":            "eventbridge",
	"DynamoDBCrudPolicy":                    "dynamodb",
	"DynamoDBReadPolicy":                    "dynamodb",
	"SESCrudPolicy":                         "sesv2",
}

// Lambda sends a failed asynchronous invocation to its destination with the function's role:
// the policy must allow it although the function links no client for it.
var destinationNeeds = map[string]string{"SQS": "sqs", "EventBridge": "eventbridge"}

// allowed returns the AWS SDK packages fn's policies allow it to call, and the ones Lambda
// needs for its destinations.
func allowed(fn samtemplate.Function) (policy, destinations []string, err error) {
	policies, _ := fn.Properties["Policies"].([]any)
	add := func(svc string) {
		if svc != "" && !slices.Contains(policy, svc) {
			policy = append(policy, svc)
		}
	}
	for _, p := range policies {
		m, ok := p.(map[string]any)
		if !ok {
			return nil, nil, fmt.Errorf("policy %v: a managed policy; name its calls in a Statement instead", p)
		}
		for name, v := range m {
			if name != "Statement" {
				svc, ok := templateAllows[name]
				if !ok {
					return nil, nil, fmt.Errorf("policy template %s: add the service it allows to templateAllows", name)
				}
				add(svc)
				continue
			}
			statements, _ := v.([]any)
			for _, s := range statements {
				st, _ := s.(map[string]any)
				actions, ok := st["Action"].([]any)
				if !ok {
					actions = []any{st["Action"]}
				}
				for _, a := range actions {
					prefix, _, _ := strings.Cut(fmt.Sprint(a), ":")
					svc, ok := clientOf[prefix]
					if !ok {
						return nil, nil, fmt.Errorf("action %v: add its service to clientOf", a)
					}
					add(svc)
				}
			}
		}
	}
	if dc, ok := fn.EventInvokeConfig["DestinationConfig"].(map[string]any); ok {
		for _, d := range dc {
			if dest, ok := d.(map[string]any); ok {
				if svc := destinationNeeds[fmt.Sprint(dest["Type"])]; svc != "" {
					destinations = append(destinations, svc)
				}
			}
		}
	}
	slices.Sort(policy)
	return policy, destinations, nil
}

// mismatches says where what a function links and what its policy allows disagree.
func mismatches(fn samtemplate.Function, linked []string) ([]string, error) {
	policy, destinations, err := allowed(fn)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, svc := range linked {
		if !slices.Contains(policy, svc) {
			out = append(out, fmt.Sprintf("%s links the %s client, which its policy does not allow", fn.LogicalID, svc))
		}
	}
	for _, svc := range policy {
		if !slices.Contains(linked, svc) && !slices.Contains(destinations, svc) {
			out = append(out, fmt.Sprintf("%s's policy allows %s, which it does not call", fn.LogicalID, svc))
		}
	}
	return out, nil
}

var sdkService = regexp.MustCompile(`^github\.com/aws/aws-sdk-go-v2/service/([a-z0-9]+)$`)

// linked returns the AWS SDK service packages the function's Lambda binary links.
func linked(t *testing.T, root, codeURI string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-tags", "lambda.norpc", "./"+filepath.ToSlash(codeURI))
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", codeURI, err)
	}
	var svcs []string
	for line := range strings.SplitSeq(string(out), "\n") {
		if m := sdkService.FindStringSubmatch(line); m != nil && m[1] != "internal" {
			svcs = append(svcs, m[1])
		}
	}
	slices.Sort(svcs)
	return svcs
}

func functions(t *testing.T) (string, []samtemplate.Function) {
	t.Helper()
	root, err := samtemplate.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := samtemplate.Load(filepath.Join(root, samtemplate.FileName))
	if err != nil {
		t.Fatal(err)
	}
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	return root, fns
}

// For each function, the AWS clients its binary links (go list -deps, as make build builds it)
// are exactly the services its IAM policies in template.yaml allow: a client added to a
// wiring without its permission, or a permission left behind, fails here rather than in AWS.
func TestFunctionsLinkWhatTheirPolicyAllows(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list; skipped with -short")
	}
	root, fns := functions(t)
	if len(fns) < 8 {
		t.Fatalf("%d functions in the template", len(fns))
	}
	for _, fn := range fns {
		got := linked(t, root, fn.CodeURI)
		if !slices.Contains(got, "dynamodb") {
			t.Errorf("%s links %v: go list did not see its clients", fn.LogicalID, got)
		}
		problems, err := mismatches(fn, got)
		if err != nil {
			t.Errorf("%s: %v", fn.LogicalID, err)
		}
		for _, p := range problems {
			t.Error(p)
		}
	}
}

// The check catches both ways a function and its policy can part.
func TestPolicyMismatchesAreCaught(t *testing.T) {
	_, fns := functions(t)
	i := slices.IndexFunc(fns, func(fn samtemplate.Function) bool { return fn.LogicalID == "ThankYouFunction" })
	if i < 0 {
		t.Fatal("no ThankYouFunction")
	}
	fn := fns[i]
	policy, _, err := allowed(fn)
	if err != nil || !slices.Equal(policy, []string{"dynamodb", "secretsmanager", "sesv2", "sqs"}) {
		t.Fatalf("ThankYouFunction allows %v (%v)", policy, err)
	}
	got, _ := mismatches(fn, []string{"dynamodb", "eventbridge", "secretsmanager", "sesv2", "sqs"})
	if !slices.Equal(got, []string{"ThankYouFunction links the eventbridge client, which its policy does not allow"}) {
		t.Errorf("an extra client: %q", got)
	}
	got, _ = mismatches(fn, []string{"dynamodb", "sesv2", "sqs"})
	if !slices.Equal(got, []string{"ThankYouFunction's policy allows secretsmanager, which it does not call"}) {
		t.Errorf("a permission left behind: %q", got)
	}
	// The dead-letter queue is also the on-failure destination: a function that stopped
	// calling SQS itself still needs sqs:SendMessage.
	if got, _ = mismatches(fn, []string{"dynamodb", "secretsmanager", "sesv2"}); len(got) != 0 {
		t.Errorf("the destination's permission: %q", got)
	}
	fn.Properties = map[string]any{"Policies": []any{"AmazonSESFullAccess"}}
	if _, err := mismatches(fn, nil); err == nil {
		t.Error("a managed policy was accepted")
	}
}
