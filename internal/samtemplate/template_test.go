package samtemplate

import (
	"reflect"
	"strings"
	"testing"
)

const inlineTemplate = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
    AllowedValues: [dev, prod]
  Sender:
    Type: String
  Retention:
    Type: Number
    Default: 14
  Zones:
    Type: CommaDelimitedList
    Default: a,b,c
  Empty:
    Type: String
    Default: ""
Mappings:
  StageConfig:
    dev:
      Memory: 256
    prod:
      Memory: 1024
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  IsDev: !Not [!Condition IsProd]
  HasEmpty: !Equals [!Ref Empty, ""]
  DevAndEmpty: !And [!Condition IsDev, !Condition HasEmpty]
  ProdOrEmpty: !Or [!Condition IsProd, !Condition HasEmpty]
Globals:
  Function:
    Runtime: provided.al2023
    Handler: bootstrap
    Timeout: 30
    Architectures: [arm64]
    Layers: [global-layer]
    Environment:
      Variables:
        TABLE: !Ref Table
        STAGE: !Ref Stage
        OVERRIDDEN: global
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: SK, AttributeType: S}
        - {AttributeName: G1, AttributeType: N}
      KeySchema:
        - {AttributeName: PK, KeyType: HASH}
        - {AttributeName: SK, KeyType: RANGE}
      GlobalSecondaryIndexes:
        - IndexName: ByG1
          KeySchema:
            - {AttributeName: G1, KeyType: HASH}
          Projection:
            ProjectionType: INCLUDE
            NonKeyAttributes: [name, email]
      TimeToLiveSpecification:
        AttributeName: ttl
        Enabled: true
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: makefile
    Properties:
      CodeUri: functions/worker
      Timeout: 60
      MemorySize: 512
      Layers: [own-layer]
      Environment:
        Variables:
          OVERRIDDEN: local
          QUEUE_ARN: !GetAtt Queue.Arn
          GREETING: !Sub "hello ${Sender} from ${AWS::Region}, literally ${!Sender}"
          SUBST: !Sub
            - "${Name}-${Retention}"
            - Name: !Join ["-", [!Ref Stage, x]]
          ZONE: !Select [1, !Ref Zones]
          PART: !Select ["2", !Split ["/", "a/b/c"]]
          MEMORY: !If [IsProd, big, !Ref "AWS::NoValue"]
          MODE: !If [DevAndEmpty, dev-empty, other]
          EITHER: !If [ProdOrEmpty, yes, no]
          ENCODED: !Base64 hi
          NUMBER: 7
      Events:
        Tick:
          Type: Schedule
          Properties:
            Schedule: rate(1 minute)
        Message:
          Type: SQS
          Properties:
            Queue: !GetAtt [Queue, Arn]
  Bare:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/bare
      Runtime: go1.x
      Architectures: [x86_64]
      Environment:
        Variables:
          STAGE: !If [IsProd, live, !Ref Stage]
`

func parseInline(t *testing.T) *Template {
	t.Helper()
	tmpl, err := Parse([]byte(inlineTemplate))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return tmpl
}

func testResolver() Resolver {
	return Resolver{
		Params:    map[string]string{"Sender": "ana@example.com"},
		Resource:  func(id string) string { return map[string]string{"Table": "table-1", "Queue": "https://queue"}[id] },
		Attr:      func(id, attr string) string { return "arn:" + id + ":" + attr },
		Region:    "eu-west-1",
		AccountID: "123456789012",
		Partition: "aws",
		StackName: "stack",
	}
}

func TestParseShortForms(t *testing.T) {
	tmpl := parseInline(t)
	env := tmpl.Resources["Worker"].Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	tests := map[string]any{
		"QUEUE_ARN": map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}},
		"ZONE":      map[string]any{"Fn::Select": []any{1, map[string]any{"Ref": "Zones"}}},
		"ENCODED":   map[string]any{"Fn::Base64": "hi"},
		"NUMBER":    7,
	}
	for name, want := range tests {
		if got := env[name]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", name, got, want)
		}
	}
	wantCond := map[string]any{"Fn::Not": []any{map[string]any{"Condition": "IsProd"}}}
	if got := tmpl.Conditions["IsDev"]; !reflect.DeepEqual(got, wantCond) {
		t.Errorf("IsDev = %#v, want %#v", got, wantCond)
	}
	if p := tmpl.Parameters["Retention"]; p.Default != "14" || !p.HasDefault || p.Type != "Number" {
		t.Errorf("Retention = %+v, want Number with default 14", p)
	}
	if p := tmpl.Parameters["Sender"]; p.HasDefault {
		t.Errorf("Sender has a default: %+v", p)
	}
	if p := tmpl.Parameters["Empty"]; !p.HasDefault || p.Default != "" {
		t.Errorf("Empty = %+v, want empty default", p)
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]struct{ yaml, want string }{
		"unknown tag":   {"Resources:\n  A:\n    Type: X\n    Properties: {P: !Nope x}\n", "line 4: unknown tag !Nope"},
		"duplicate key": {"Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n", `line 4: duplicate key "A"`},
		"bad GetAtt":    {"Outputs:\n  O: {Value: !GetAtt NoDot}\n", `!GetAtt "NoDot"`},
		"no type":       {"Resources:\n  A:\n    Properties: {}\n", "resource A: no Type"},
		"not a map":     {"Resources: [a]\n", "Resources: want a mapping"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	tmpl := parseInline(t)
	tests := []struct {
		name   string
		value  any
		params map[string]string
		want   any
	}{
		{"parameter default", ref("Stage"), nil, "dev"},
		{"parameter override", ref("Stage"), map[string]string{"Stage": "prod"}, "prod"},
		{"number parameter", ref("Retention"), nil, "14"},
		{"list parameter", ref("Zones"), nil, []any{"a", "b", "c"}},
		{"pseudo parameter", ref("AWS::AccountId"), nil, "123456789012"},
		{"url suffix", ref("AWS::URLSuffix"), nil, "amazonaws.com"},
		{"resource", ref("Queue"), nil, "https://queue"},
		{"get att", map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}, nil, "arn:Queue:Arn"},
		{"get att dotted", map[string]any{"Fn::GetAtt": "Queue.Arn"}, nil, "arn:Queue:Arn"},
		{
			"sub",
			map[string]any{"Fn::Sub": "${AWS::StackName}-${Stage}-${Queue.Arn}-${!Literal}"},
			nil, "stack-dev-arn:Queue:Arn-${Literal}",
		},
		{
			"sub with variables",
			map[string]any{"Fn::Sub": []any{"${A}/${Stage}", map[string]any{"A": ref("Retention")}}},
			nil, "14/dev",
		},
		{"join", map[string]any{"Fn::Join": []any{",", ref("Zones")}}, nil, "a,b,c"},
		{"find in map", map[string]any{"Fn::FindInMap": []any{"StageConfig", ref("Stage"), "Memory"}}, nil, 256},
		{"if true", map[string]any{"Fn::If": []any{"IsProd", "p", "d"}}, map[string]string{"Stage": "prod"}, "p"},
		{"if false", map[string]any{"Fn::If": []any{"IsProd", "p", "d"}}, nil, "d"},
		{"and false", map[string]any{"Fn::If": []any{"DevAndEmpty", "y", "n"}}, map[string]string{"Stage": "prod"}, "n"},
		{"or false", map[string]any{"Fn::If": []any{"ProdOrEmpty", "y", "n"}}, map[string]string{"Empty": "x"}, "n"},
		{
			"no value removed",
			map[string]any{"Keep": 1, "Drop": map[string]any{"Fn::If": []any{"IsProd", "x", ref("AWS::NoValue")}}},
			nil, map[string]any{"Keep": 1},
		},
		{
			"nested",
			[]any{map[string]any{"Name": map[string]any{"Fn::Join": []any{"", []any{ref("Stage"), "-", ref("Table")}}}}},
			nil, []any{map[string]any{"Name": "dev-table-1"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testResolver()
			for k, v := range tt.params {
				r.Params[k] = v
			}
			got, err := tmpl.Resolve(tt.value, r)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Resolve = %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestResolveErrors(t *testing.T) {
	tmpl := parseInline(t)
	tests := []struct {
		name  string
		value any
		r     func(*Resolver)
		want  string
	}{
		{"no default", map[string]any{"Env": ref("Sender")}, func(r *Resolver) { r.Params = nil },
			"Env: Ref: Sender: parameter has no Default and Resolver.Params has no value for it"},
		{"not allowed", ref("Stage"), func(r *Resolver) { r.Params["Stage"] = "qa" },
			`Ref: Stage: value "qa" is not one of ["dev" "prod"]`},
		{"unknown name", []any{"x", ref("Nope")}, nil, "[1]: Ref: Nope: no parameter or resource has that name"},
		{"no region", ref("AWS::Region"), func(r *Resolver) { r.Region = "" }, "AWS::Region: Resolver.Region is empty"},
		{"no physical id", ref("Worker"), nil, "Worker: Resolver.Resource has no value for this resource"},
		{"no resource func", ref("Queue"), func(r *Resolver) { r.Resource = nil }, "Queue is a resource and Resolver.Resource is nil"},
		{"get att unknown", map[string]any{"Fn::GetAtt": []any{"Nope", "Arn"}}, nil, "Nope.Arn: no resource has that name"},
		{"sub unknown", map[string]any{"Fn::Sub": "a-${Nope}"}, nil, `Fn::Sub: "a-${Nope}": ${Nope}: Nope: no parameter`},
		{"sub unterminated", map[string]any{"Fn::Sub": "a-${Stage"}, nil, "unterminated ${"},
		{"import", map[string]any{"Fn::ImportValue": "x"}, nil, "Fn::ImportValue: cannot be resolved outside CloudFormation"},
		{"select range", map[string]any{"Fn::Select": []any{5, ref("Zones")}}, nil, "index 5 out of range of a list of 3 values"},
		{"unknown condition", map[string]any{"Fn::If": []any{"Nope", 1, 2}}, nil, "condition Nope: not in Conditions"},
		{"join of map", map[string]any{"Fn::Join": []any{",", map[string]any{"a": 1}}}, nil, "want a list, got a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := testResolver()
			if tt.r != nil {
				tt.r(&r)
			}
			_, err := tmpl.Resolve(tt.value, r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Resolve error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestConditionCycle(t *testing.T) {
	tmpl, err := Parse([]byte("Conditions:\n  A: !Not [!Condition B]\n  B: !Not [!Condition A]\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Resolve(map[string]any{"Fn::If": []any{"A", 1, 2}}, Resolver{})
	if err == nil || !strings.Contains(err.Error(), "refers to itself") {
		t.Fatalf("Resolve error = %v, want a cycle", err)
	}
}

func TestTable(t *testing.T) {
	tmpl := parseInline(t)
	got, err := tmpl.Table("Table")
	if err != nil {
		t.Fatalf("Table: %v", err)
	}
	want := Table{
		LogicalID:  "Table",
		Attributes: []Attribute{{"PK", "S"}, {"SK", "S"}, {"G1", "N"}},
		Key:        KeySchema{Hash: "PK", Range: "SK"},
		GlobalIndexes: []Index{{
			Name: "ByG1", Key: KeySchema{Hash: "G1"},
			ProjectionType: "INCLUDE", NonKeyAttributes: []string{"name", "email"},
		}},
		BillingMode:  "PAY_PER_REQUEST",
		TTLAttribute: "ttl",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Table =\n%+v\nwant\n%+v", got, want)
	}
}

func TestTableProvisioned(t *testing.T) {
	tmpl, err := Parse([]byte(`
Resources:
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      ProvisionedThroughput: {ReadCapacityUnits: 5, WriteCapacityUnits: 2}
      TimeToLiveSpecification: {AttributeName: ttl, Enabled: false}
`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Table("T")
	if err != nil {
		t.Fatalf("Table: %v", err)
	}
	if got.BillingMode != "PROVISIONED" || *got.Throughput != (Throughput{Read: 5, Write: 2}) || got.TTLAttribute != "" {
		t.Errorf("Table = %+v (throughput %+v), want PROVISIONED 5/2 without TTL", got, *got.Throughput)
	}
}

func TestTableErrors(t *testing.T) {
	tmpl := parseInline(t)
	for id, want := range map[string]string{
		"Nope":  "table Nope: no such resource",
		"Queue": "table Queue: resource type is AWS::SQS::Queue, not AWS::DynamoDB::Table",
	} {
		if _, err := tmpl.Table(id); err == nil || err.Error() != want {
			t.Errorf("Table(%s) error = %v, want %q", id, err, want)
		}
	}
}

func TestFunctions(t *testing.T) {
	tmpl := parseInline(t)
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatalf("Functions: %v", err)
	}
	if len(fns) != 2 || fns[0].LogicalID != "Bare" || fns[1].LogicalID != "Worker" {
		t.Fatalf("Functions = %+v, want Bare and Worker", fns)
	}
	bare, worker := fns[0], fns[1]
	checks := []struct {
		name      string
		got, want any
	}{
		{"Worker.CodeURI", worker.CodeURI, "functions/worker"},
		{"Worker.Handler (global)", worker.Handler, "bootstrap"},
		{"Worker.Runtime (global)", worker.Runtime, "provided.al2023"},
		{"Worker.Timeout (own)", worker.Timeout, 60},
		{"Worker.MemorySize", worker.MemorySize, 512},
		{"Worker.Architectures (global)", worker.Architectures, []string{"arm64"}},
		{"Worker.Layers (concatenated)", worker.Properties["Layers"], []any{"global-layer", "own-layer"}},
		{"Worker.Metadata", worker.Metadata, map[string]any{"BuildMethod": "makefile"}},
		{"Worker.Events", worker.Events, []Event{
			{Name: "Message", Type: "SQS", Properties: map[string]any{"Queue": map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}}},
			{Name: "Tick", Type: "Schedule", Properties: map[string]any{"Schedule": "rate(1 minute)"}},
		}},
		{"Bare.Runtime (own)", bare.Runtime, "go1.x"},
		{"Bare.Timeout (global)", bare.Timeout, 30},
		{"Bare.Architectures (concatenated, as SAM does)", bare.Architectures, []string{"arm64", "x86_64"}},
		{"Bare.STAGE (intrinsic overrides)", bare.Environment["STAGE"],
			map[string]any{"Fn::If": []any{"IsProd", "live", map[string]any{"Ref": "Stage"}}}},
		{"Bare.Events", len(bare.Events), 0},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if _, err := worker.Env(testResolver()); err != nil {
		t.Fatalf("Worker.Env: %v", err)
	}
}

func TestFunctionsErrors(t *testing.T) {
	tests := map[string]string{
		"MemorySize: !Ref Memory":       "function F: MemorySize: want an integer, got Ref",
		"CodeUri: {Bucket: b, Key: k}":  "function F: CodeUri: want a string, got a mapping",
		"Events: {E: {Properties: {}}}": "function F: event E: no Type",
	}
	for property, want := range tests {
		tmpl, err := Parse([]byte("Resources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties: {" + property + "}\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tmpl.Functions(); err == nil || err.Error() != want {
			t.Errorf("%s: Functions error = %v, want %q", property, err, want)
		}
	}
}

func TestFunctionEnv(t *testing.T) {
	tmpl := parseInline(t)
	fns, err := tmpl.Functions()
	if err != nil {
		t.Fatal(err)
	}
	got, err := fns[1].Env(testResolver())
	if err != nil {
		t.Fatalf("Env: %v", err)
	}
	want := map[string]string{
		"TABLE":      "table-1",
		"STAGE":      "dev",
		"OVERRIDDEN": "local",
		"QUEUE_ARN":  "arn:Queue:Arn",
		"GREETING":   "hello ana@example.com from eu-west-1, literally ${Sender}",
		"SUBST":      "dev-x-14",
		"ZONE":       "b",
		"PART":       "c",
		"MODE":       "dev-empty",
		"EITHER":     "yes",
		"ENCODED":    "aGk=",
		"NUMBER":     "7",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Env =\n%v\nwant\n%v", got, want)
	}
	r := testResolver()
	r.Params = nil
	_, err = fns[1].Env(r)
	wantErr := "function Worker: environment: GREETING: Fn::Sub: \"hello ${Sender} from ${AWS::Region}, literally ${!Sender}\": ${Sender}: Sender: parameter has no Default"
	if err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("Env without Sender: error = %v, want it to contain %q", err, wantErr)
	}
}

func ref(name string) map[string]any { return map[string]any{"Ref": name} }
