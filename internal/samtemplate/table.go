package samtemplate

import (
	"errors"
	"fmt"
)

// Table is the definition of an AWS::DynamoDB::Table resource, in terms that do not depend on
// any AWS SDK.
type Table struct {
	LogicalID string
	// Attributes are the attribute definitions: the attributes used by a key.
	Attributes []Attribute
	Key        KeySchema
	// GlobalIndexes are the global secondary indexes, in template order.
	GlobalIndexes []Index
	// BillingMode is PAY_PER_REQUEST or PROVISIONED (CloudFormation's default).
	BillingMode string
	// Throughput is set when the template gives ProvisionedThroughput.
	Throughput *Throughput
	// TTLAttribute is the name of the time-to-live attribute, "" when TTL is not enabled.
	TTLAttribute string
}

// Attribute is an attribute definition: a name and a type (S, N or B).
type Attribute struct {
	Name string
	Type string
}

// KeySchema names the hash (partition) key and the range (sort) key, "" when there is none.
type KeySchema struct {
	Hash  string
	Range string
}

// Index is a global secondary index.
type Index struct {
	Name string
	Key  KeySchema
	// ProjectionType is ALL, KEYS_ONLY or INCLUDE; NonKeyAttributes go with INCLUDE.
	ProjectionType   string
	NonKeyAttributes []string
	Throughput       *Throughput
}

// Throughput is provisioned read and write capacity.
type Throughput struct {
	Read  int64
	Write int64
}

// Table returns the definition of the AWS::DynamoDB::Table resource called logicalID.
func (t *Template) Table(logicalID string) (Table, error) {
	tbl, err := t.table(logicalID)
	if err != nil {
		return Table{}, fmt.Errorf("table %s: %w", logicalID, err)
	}
	return tbl, nil
}

func (t *Template) table(logicalID string) (Table, error) {
	r, ok := t.Resources[logicalID]
	if !ok {
		return Table{}, errors.New("no such resource")
	}
	if r.Type != "AWS::DynamoDB::Table" {
		return Table{}, fmt.Errorf("resource type is %s, not AWS::DynamoDB::Table", r.Type)
	}
	p := r.Properties
	if _, ok := p["LocalSecondaryIndexes"]; ok {
		return Table{}, errors.New("LocalSecondaryIndexes are not supported")
	}
	tbl := Table{LogicalID: logicalID, BillingMode: "PROVISIONED"}
	var err error
	if tbl.Attributes, err = attributes(p["AttributeDefinitions"]); err != nil {
		return Table{}, err
	}
	if tbl.Key, err = keySchema(p["KeySchema"]); err != nil {
		return Table{}, fmt.Errorf("KeySchema: %w", err)
	}
	if tbl.GlobalIndexes, err = globalIndexes(p["GlobalSecondaryIndexes"]); err != nil {
		return Table{}, err
	}
	mode, err := optString(p, "BillingMode")
	if err != nil {
		return Table{}, err
	}
	if mode != "" {
		tbl.BillingMode = mode
	}
	if tbl.Throughput, err = throughput(p["ProvisionedThroughput"]); err != nil {
		return Table{}, err
	}
	if tbl.TTLAttribute, err = ttlAttribute(p["TimeToLiveSpecification"]); err != nil {
		return Table{}, err
	}
	return tbl, nil
}

func attributes(v any) ([]Attribute, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("AttributeDefinitions: want a list, got %s", describe(v))
	}
	attrs := make([]Attribute, len(list))
	for i, item := range list {
		m, err := optMap(item, "attribute")
		if err == nil {
			attrs[i].Name, err = optString(m, "AttributeName")
		}
		if err == nil {
			attrs[i].Type, err = optString(m, "AttributeType")
		}
		if err == nil && (attrs[i].Name == "" || attrs[i].Type == "") {
			err = errors.New("want AttributeName and AttributeType")
		}
		if err != nil {
			return nil, fmt.Errorf("AttributeDefinitions[%d]: %w", i, err)
		}
	}
	return attrs, nil
}

func keySchema(v any) (KeySchema, error) {
	list, ok := v.([]any)
	if !ok {
		return KeySchema{}, fmt.Errorf("want a list, got %s", describe(v))
	}
	var key KeySchema
	for i, item := range list {
		m, err := optMap(item, fmt.Sprintf("[%d]", i))
		if err != nil {
			return KeySchema{}, err
		}
		name, _ := m["AttributeName"].(string)
		keyType, _ := m["KeyType"].(string)
		switch {
		case name == "":
			return KeySchema{}, fmt.Errorf("[%d]: no AttributeName", i)
		case keyType == "HASH" && key.Hash == "":
			key.Hash = name
		case keyType == "RANGE" && key.Range == "":
			key.Range = name
		default:
			return KeySchema{}, fmt.Errorf("[%d]: unexpected KeyType %q", i, keyType)
		}
	}
	if key.Hash == "" {
		return KeySchema{}, errors.New("no HASH key")
	}
	return key, nil
}

func globalIndexes(v any) ([]Index, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("GlobalSecondaryIndexes: want a list, got %s", describe(v))
	}
	indexes := make([]Index, len(list))
	for i, item := range list {
		var err error
		if indexes[i], err = globalIndex(item); err != nil {
			return nil, fmt.Errorf("GlobalSecondaryIndexes[%d]: %w", i, err)
		}
	}
	return indexes, nil
}

func globalIndex(v any) (Index, error) {
	m, err := optMap(v, "index")
	if err != nil {
		return Index{}, err
	}
	var idx Index
	if idx.Name, err = optString(m, "IndexName"); err != nil {
		return Index{}, err
	}
	if idx.Name == "" {
		return Index{}, errors.New("no IndexName")
	}
	if idx.Key, err = keySchema(m["KeySchema"]); err != nil {
		return Index{}, fmt.Errorf("%s: KeySchema: %w", idx.Name, err)
	}
	projection, err := optMap(m["Projection"], "Projection")
	if err == nil {
		idx.ProjectionType, err = optString(projection, "ProjectionType")
	}
	if err == nil {
		idx.NonKeyAttributes, err = optStrings(projection, "NonKeyAttributes")
	}
	if err == nil {
		idx.Throughput, err = throughput(m["ProvisionedThroughput"])
	}
	if err != nil {
		return Index{}, fmt.Errorf("%s: %w", idx.Name, err)
	}
	return idx, nil
}

func throughput(v any) (*Throughput, error) {
	m, err := optMap(v, "ProvisionedThroughput")
	if err != nil || m == nil {
		return nil, err
	}
	read, err := optInt(m, "ReadCapacityUnits")
	if err != nil {
		return nil, fmt.Errorf("ProvisionedThroughput: %w", err)
	}
	write, err := optInt(m, "WriteCapacityUnits")
	if err != nil {
		return nil, fmt.Errorf("ProvisionedThroughput: %w", err)
	}
	return &Throughput{Read: int64(read), Write: int64(write)}, nil
}

func ttlAttribute(v any) (string, error) {
	m, err := optMap(v, "TimeToLiveSpecification")
	if err != nil || m == nil {
		return "", err
	}
	if enabled, _ := m["Enabled"].(bool); !enabled {
		return "", nil
	}
	name, err := optString(m, "AttributeName")
	if err == nil && name == "" {
		err = errors.New("no AttributeName")
	}
	if err != nil {
		return "", fmt.Errorf("TimeToLiveSpecification: %w", err)
	}
	return name, nil
}
