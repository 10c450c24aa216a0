package dynamolocal

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"shopmail/internal/samtemplate"
)

func TestCreateTableInput(t *testing.T) {
	tests := []struct {
		name string
		tbl  samtemplate.Table
		want *dynamodb.CreateTableInput
	}{
		{
			name: "on demand with an index",
			tbl: samtemplate.Table{
				Attributes:  []samtemplate.Attribute{{Name: "PK", Type: "S"}, {Name: "SK", Type: "S"}, {Name: "G", Type: "N"}},
				Key:         samtemplate.KeySchema{Hash: "PK", Range: "SK"},
				BillingMode: "PAY_PER_REQUEST",
				GlobalIndexes: []samtemplate.Index{{
					Name: "ByG", Key: samtemplate.KeySchema{Hash: "G"},
					ProjectionType: "INCLUDE", NonKeyAttributes: []string{"a"},
				}},
				TTLAttribute: "expiresAt",
			},
			want: &dynamodb.CreateTableInput{
				TableName:   aws.String("t1"),
				BillingMode: types.BillingModePayPerRequest,
				AttributeDefinitions: []types.AttributeDefinition{
					{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS},
					{AttributeName: aws.String("SK"), AttributeType: types.ScalarAttributeTypeS},
					{AttributeName: aws.String("G"), AttributeType: types.ScalarAttributeTypeN},
				},
				KeySchema: []types.KeySchemaElement{
					{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash},
					{AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange},
				},
				GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
					IndexName:  aws.String("ByG"),
					KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("G"), KeyType: types.KeyTypeHash}},
					Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"a"}},
				}},
			},
		},
		{
			name: "provisioned",
			tbl: samtemplate.Table{
				Attributes:  []samtemplate.Attribute{{Name: "id", Type: "S"}},
				Key:         samtemplate.KeySchema{Hash: "id"},
				BillingMode: "PROVISIONED",
				Throughput:  &samtemplate.Throughput{Read: 5, Write: 2},
			},
			want: &dynamodb.CreateTableInput{
				TableName:            aws.String("t1"),
				BillingMode:          types.BillingModeProvisioned,
				AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
				KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
				ProvisionedThroughput: &types.ProvisionedThroughput{
					ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(2),
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CreateTableInput("t1", tt.tbl); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CreateTableInput =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}
