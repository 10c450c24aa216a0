package samtemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"shopmail/internal/send"
)

// These tests read the repository's template.yaml.

func loadDefault(t *testing.T) *Template {
	t.Helper()
	tmpl, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return tmpl
}

func TestDefaultFindsRepositoryTemplate(t *testing.T) {
	tmpl := loadDefault(t)
	if _, err := os.Stat(filepath.Join(tmpl.Dir, "go.mod")); err != nil {
		t.Errorf("template directory %s has no go.mod: %v", tmpl.Dir, err)
	}
	if r := tmpl.Resources["MarketingTable"]; r.Type != "AWS::DynamoDB::Table" {
		t.Errorf("MarketingTable = %+v, want an AWS::DynamoDB::Table", r)
	}
}

func TestFindRootFromSubdirectory(t *testing.T) {
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "internal"))
	got, err := FindRoot()
	if err != nil || got != root {
		t.Errorf("FindRoot from internal/ = %q, %v; want %q", got, err, root)
	}
	t.Chdir(t.TempDir())
	if _, err := FindRoot(); err == nil || !strings.Contains(err.Error(), "no go.mod") {
		t.Errorf("FindRoot outside the repository: error = %v, want no go.mod", err)
	}
}

func TestRealMarketingTable(t *testing.T) {
	tbl, err := loadDefault(t).Table("MarketingTable")
	if err != nil {
		t.Fatalf("Table: %v", err)
	}
	if tbl.Key != (KeySchema{Hash: "PK", Range: "SK"}) {
		t.Errorf("Key = %+v, want PK/SK", tbl.Key)
	}
	if tbl.BillingMode != "PAY_PER_REQUEST" {
		t.Errorf("BillingMode = %q, want PAY_PER_REQUEST", tbl.BillingMode)
	}
	if tbl.TTLAttribute != "expiresAt" {
		t.Errorf("TTLAttribute = %q, want expiresAt", tbl.TTLAttribute)
	}
	wantIndexes := []Index{
		{Name: "GSI1", Key: KeySchema{Hash: "GSI1PK", Range: "GSI1SK"}, ProjectionType: "INCLUDE", NonKeyAttributes: []string{"id"}},
		{Name: "GSI2", Key: KeySchema{Hash: "GSI2PK", Range: "GSI2SK"}, ProjectionType: "ALL"},
		{Name: "GSI3", Key: KeySchema{Hash: "GSI3PK", Range: "GSI3SK"}, ProjectionType: "ALL"},
		{Name: "GSI4", Key: KeySchema{Hash: "GSI4PK", Range: "GSI4SK"}, ProjectionType: "KEYS_ONLY"},
		{Name: "GSI5", Key: KeySchema{Hash: "GSI5PK", Range: "GSI5SK"}, ProjectionType: "INCLUDE", NonKeyAttributes: []string{
			"sendKey", "contactId", "campaignId", "status", "reason", "sentAt", "deliveredAt", "first_open_human_at", "first_click_human_at"}},
		{Name: "GSI7", Key: KeySchema{Hash: "GSI7PK", Range: "GSI7SK"}, ProjectionType: "INCLUDE", NonKeyAttributes: []string{"sendKey", "contactId", "campaignId", "status", "reason"}},
		{Name: "GSI6", Key: KeySchema{Hash: "GSI6PK", Range: "GSI6SK"}, ProjectionType: "KEYS_ONLY"},
	}
	if !reflect.DeepEqual(tbl.GlobalIndexes, wantIndexes) {
		t.Errorf("GlobalIndexes = %+v, want %+v", tbl.GlobalIndexes, wantIndexes)
	}
	defined := map[string]string{}
	for _, a := range tbl.Attributes {
		defined[a.Name] = a.Type
	}
	for _, key := range []string{"PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"} {
		if defined[key] != "S" {
			t.Errorf("attribute %s has type %q, want S", key, defined[key])
		}
	}
}

func TestRealFunctions(t *testing.T) {
	tmpl := loadDefault(t)
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatalf("Functions: %v", err)
	}
	if len(fns) == 0 {
		t.Fatal("template.yaml declares no functions")
	}
	for _, fn := range fns {
		t.Run(fn.LogicalID, func(t *testing.T) {
			checkFunctionCode(t, tmpl, fn)
			if fn.Runtime != "provided.al2023" || fn.Handler != "bootstrap" ||
				!reflect.DeepEqual(fn.Architectures, []string{"arm64"}) {
				t.Errorf("runtime %q, handler %q, architectures %v; want provided.al2023, bootstrap, [arm64]",
					fn.Runtime, fn.Handler, fn.Architectures)
			}
			if fn.Timeout <= 0 || fn.MemorySize <= 0 {
				t.Errorf("Timeout %d, MemorySize %d; want both set", fn.Timeout, fn.MemorySize)
			}
			for _, ev := range fn.Events {
				if ev.Type == "" || len(ev.Properties) == 0 {
					t.Errorf("event %s: type %q, properties %v", ev.Name, ev.Type, ev.Properties)
				}
			}
		})
	}
}

func checkFunctionCode(t *testing.T, tmpl *Template, fn Function) {
	t.Helper()
	if !strings.HasPrefix(fn.CodeURI, "functions/") {
		t.Errorf("CodeUri %q is not under functions/", fn.CodeURI)
	}
	dir := filepath.Join(tmpl.Dir, fn.CodeURI)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		t.Errorf("CodeUri %s is not a directory: %v", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "main.go")); err != nil {
		t.Errorf("CodeUri %s has no main.go: %v", fn.CodeURI, err)
	}
}

func TestRealThankYouFunction(t *testing.T) {
	fn := findFunction(t, loadDefault(t), "ThankYouFunction")
	if len(fn.Events) != 2 || fn.Events[1].Name != "SweepSends" || fn.Events[1].Type != "ScheduleV2" ||
		fn.Events[1].Properties["Input"] != `{"sweep": "sends"}` {
		t.Fatalf("Events = %+v, want OrderPlaced and the SweepSends schedule", fn.Events)
	}
	ev := fn.Events[0]
	wantPattern := map[string]any{
		"source":      []any{map[string]any{"Ref": "OrderEventSource"}},
		"detail-type": []any{"Order Placed"},
	}
	if ev.Name != "OrderPlaced" || ev.Type != "EventBridgeRule" || !reflect.DeepEqual(ev.Properties["Pattern"], wantPattern) {
		t.Errorf("event = %+v, want OrderPlaced EventBridgeRule with pattern %v", ev, wantPattern)
	}
	if fn.EventInvokeConfig["MaximumRetryAttempts"] != 2 {
		t.Errorf("EventInvokeConfig = %v, want MaximumRetryAttempts 2", fn.EventInvokeConfig)
	}
	if fn.Metadata["BuildMethod"] != "makefile" {
		t.Errorf("Metadata = %v, want BuildMethod makefile", fn.Metadata)
	}
}

func TestRealThankYouEnv(t *testing.T) {
	tmpl := loadDefault(t)
	fn := findFunction(t, tmpl, "ThankYouFunction")
	r := Resolver{
		// The parameters without a default.
		Params: map[string]string{"SenderAddress": "hello@shop.example", "PostalAddress": "1 Main St"},
		Resource: func(id string) string {
			return map[string]string{
				"MarketingTable":   "marketing",
				"ConfigurationSet": "stack-mail",
				"DeadLetterQueue":  "http://127.0.0.1:4566/000000000000/dlq",
				"Api":              "abc123",
				"TokenKeys":        "arn:aws:secretsmanager:us-east-1:000000000000:secret:TokenKeys-AbCdEf",
			}[id]
		},
		Region: "us-east-1", AccountID: "000000000000", Partition: "aws", StackName: "stack",
	}
	got, err := fn.Env(r)
	if err != nil {
		t.Fatalf("Env: %v", err)
	}
	want := map[string]string{
		"TABLE_NAME":              "marketing",
		"LOG_LEVEL":               "INFO",
		"SENDER_ADDRESS":          "hello@shop.example",
		"SENDER_NAME":             "Our shop",
		"SHOP_NAME":               "Our shop",
		"SHOP_URL":                "https://shop.example",
		"POSTAL_ADDRESS":          "1 Main St",
		"LOGO_URL":                "",
		"BRAND_COLOR":             "",
		"SES_CONFIGURATION_SET":   "stack-mail",
		"DEAD_LETTER_QUEUE_URL":   "http://127.0.0.1:4566/000000000000/dlq",
		"COUPON_PREFIX":           "",
		"COUPON_OFFER":            "10% off your next order",
		"COUPON_OFFER_FA":         "۱۰٪ تخفیف برای خرید بعدی",
		"COUPON_VALID_DAYS":       "60",
		"ATTRIBUTION_DAYS":        "5",
		"LOYALTY_POINTS_PER_UNIT": "USD=1,EUR=1,GBP=1,IRR=0.000001", "LOYALTY_TIERS": "bronze=0,silver=500,gold=2000", "LOYALTY_REWARDS": "",
		"REFERRALS_NEEDED": "4", "REFERRALS_WEEKLY_LIMIT": "10", "REFERRAL_COUPON_PREFIX": "FRIENDS",
		"REFERRAL_COUPON_OFFER": "20% off your next order", "REFERRAL_COUPON_OFFER_FA": "۲۰٪ تخفیف برای خرید بعدی",
		"UNSUBSCRIBE_MAILTO":      "",
		"PUBLIC_URL":              "https://abc123.execute-api.us-east-1.amazonaws.com",
		"TOKEN_KEYS_SECRET":       "arn:aws:secretsmanager:us-east-1:000000000000:secret:TokenKeys-AbCdEf",
		"TRACKING_RETENTION_DAYS": "400",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Env =\n%v\nwant\n%v", got, want)
	}
	r.Params = nil
	if _, err := fn.Env(r); err == nil || !strings.Contains(err.Error(), "SENDER_ADDRESS: Ref: SenderAddress: parameter has no Default") {
		t.Errorf("Env without SenderAddress: error = %v", err)
	}
}

// The configuration set's name is left to CloudFormation (SES allows 64 characters, stack
// names 128), and the function reaches it by Ref.
func TestRealConfigurationSetName(t *testing.T) {
	tmpl := loadDefault(t)
	if name, ok := tmpl.Resources["ConfigurationSet"].Properties["Name"]; ok {
		t.Errorf("ConfigurationSet has a fixed name %v", name)
	}
	env := findFunction(t, tmpl, "ThankYouFunction").Environment
	if ref, _ := env["SES_CONFIGURATION_SET"].(map[string]any); ref["Ref"] != "ConfigurationSet" {
		t.Errorf("SES_CONFIGURATION_SET = %v, want Ref ConfigurationSet", env["SES_CONFIGURATION_SET"])
	}
}

func findFunction(t *testing.T, tmpl *Template, id string) Function {
	t.Helper()
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatalf("Functions: %v", err)
	}
	for _, fn := range fns {
		if fn.LogicalID == id {
			return fn
		}
	}
	t.Fatalf("no function %s in template.yaml", id)
	return Function{}
}

// The thank-you function may call exactly what internal/dynamo uses, on the table and its
// indexes only, and nothing on "*".
func TestRealThankYouPolicies(t *testing.T) {
	fn := findFunction(t, loadDefault(t), "ThankYouFunction")
	raw, err := json.Marshal(fn.Properties["Policies"])
	if err != nil {
		t.Fatal(err)
	}
	policies := string(raw)
	for _, forbidden := range []string{`"*"`, "dynamodb:Scan", "dynamodb:*", "ses:*", "DynamoDBCrudPolicy"} {
		if strings.Contains(policies, forbidden) {
			t.Errorf("policies grant %s: %s", forbidden, policies)
		}
	}
	for _, want := range []string{"dynamodb:PutItem", "dynamodb:Query", "ses:SendEmail", "configuration-set/${ConfigurationSet}", "ses:FromAddress"} {
		if !strings.Contains(policies, want) {
			t.Errorf("policies lack %s: %s", want, policies)
		}
	}
}

// The reports function reads the survey results' daily aggregates (Query on the table), the
// answers of a day that a period cuts (Query on GSI2), every profile for retention (Query on
// GSI6, and GSI3 for profiles written before it; BatchGetItem of GSI6's), and the prize draws
// (their partition, and one by id): nothing else.
func TestRealReportsPolicies(t *testing.T) {
	fn := findFunction(t, loadDefault(t), "ReportsFunction")
	raw, err := json.Marshal(fn.Properties["Policies"])
	if err != nil {
		t.Fatal(err)
	}
	var policies []struct {
		Statement []struct {
			Action   any
			Resource []any
		}
	}
	if err := json.Unmarshal(raw, &policies); err != nil || len(policies) != 1 || len(policies[0].Statement) != 2 {
		t.Fatalf("policies: %s (%v)", raw, err)
	}
	query, get := policies[0].Statement[0], policies[0].Statement[1]
	res, _ := json.Marshal(query.Resource)
	if query.Action != "dynamodb:Query" || len(query.Resource) != 4 || !strings.Contains(string(res), `"Fn::GetAtt":["MarketingTable","Arn"]`) ||
		!strings.Contains(string(res), "${MarketingTable.Arn}/index/GSI2") || !strings.Contains(string(res), "${MarketingTable.Arn}/index/GSI3") ||
		!strings.Contains(string(res), "${MarketingTable.Arn}/index/GSI6") {
		t.Errorf("policies: %s, want dynamodb:Query on the table, GSI2, GSI3 and GSI6", raw)
	}
	if res, _ := json.Marshal(get.Resource); fmt.Sprint(get.Action) != "[dynamodb:GetItem dynamodb:BatchGetItem]" || len(get.Resource) != 1 ||
		!strings.Contains(string(res), `"Fn::GetAtt":["MarketingTable","Arn"]`) {
		t.Errorf("policies: %s, want dynamodb:GetItem and BatchGetItem on the table", raw)
	}
}

// The sweep sends a message again only when SES would have reported it by then: the window
// outlasts the longest an "Email Sent" event can take to reach the SES-events function (the
// rule's retries, then Lambda's), by an hour.
func TestSettleWindowOutlastsTheSESEventsDelivery(t *testing.T) {
	fn := findFunction(t, loadDefault(t), "SESEventsFunction")
	var ruleAge int
	for _, ev := range fn.Events {
		if ev.Name == "SESEvent" {
			ruleAge, _ = ev.Properties["RetryPolicy"].(map[string]any)["MaximumEventAgeInSeconds"].(int)
		}
	}
	lambdaAge, _ := fn.EventInvokeConfig["MaximumEventAgeInSeconds"].(int)
	if ruleAge == 0 || lambdaAge == 0 {
		t.Fatalf("SESEventsFunction: rule age %d, Lambda age %d: both must be set", ruleAge, lambdaAge)
	}
	if need := time.Duration(ruleAge+lambdaAge)*time.Second + time.Hour; send.SettleWindow < need {
		t.Errorf("send.SettleWindow = %s, want at least %s", send.SettleWindow, need)
	}
}

// A function that lists profiles lists them from GSI6 (their keys, then BatchGetItem of the
// profiles) and from GSI3 (those written before GSI6): allowed to Query one is allowed the
// other, and to BatchGetItem.
func TestRealProfileListersReadBothIndexes(t *testing.T) {
	fns, err := loadDefault(t).Functions()
	if err != nil {
		t.Fatal(err)
	}
	listers := 0
	for _, fn := range fns {
		raw, _ := json.Marshal(fn.Properties["Policies"])
		p := string(raw)
		gsi3, gsi6, all := strings.Contains(p, "/index/GSI3"), strings.Contains(p, "/index/GSI6"), strings.Contains(p, "/index/*")
		if !gsi3 && !gsi6 {
			continue
		}
		listers++
		if gsi3 != gsi6 && !all {
			t.Errorf("%s may query GSI3 %v, GSI6 %v: want both", fn.LogicalID, gsi3, gsi6)
		}
		if !strings.Contains(p, "dynamodb:BatchGetItem") {
			t.Errorf("%s lists profiles without dynamodb:BatchGetItem: %s", fn.LogicalID, p)
		}
	}
	if listers < 4 {
		t.Errorf("%d functions may list profiles, want the loyalty, reports, contacts and campaigns functions at least", listers)
	}
}
