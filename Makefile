# shopmail: every target works offline on a clean clone. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO        ?= go
FUNCTIONS := $(notdir $(wildcard functions/*))
BUILD_DIR := .aws-sam/bootstrap
# Lambda: provided.al2023 on arm64, static, without the RPC shim. Every package but the
# standard library's is compiled without inlining (the last -gcflags pattern that matches a
# package wins): 0.7-0.8 MB less per function, most of it the AWS SDK's middleware, and the
# benchmarks the same (BenchmarkOrderPlaced 539-595 µs with it, 448-497 µs without;
# BenchmarkCampaignRecipient 1,474-1,760 µs and 1,387-1,407 µs: noise, side by side).
LAMBDA_ENV   := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
LAMBDA_FLAGS := -tags lambda.norpc -trimpath -gcflags='all=-l' -gcflags='std=' -ldflags='-s -w -buildid='
# The functions with four AWS clients are 10.0-10.2 MB (preferences crossed 10 MB with the
# hardening's forms and international addresses); 11 MB catches what would double a client.
MAX_BINARY_BYTES := 11534336
# The dashboard is the union of the marketer API's functions (campaigns, contacts, reports) and
# the token keys' client: 11.8 MB; 12 MB catches the same doubling there.
MAX_DASHBOARD_BYTES := 12582912

.PHONY: help deps browser-deps run samples test test-short test-browser build bench lint fmt generate deploy clean verify-draw

help: ## list the targets
	@grep -hE '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

deps: ## download Go modules and install DynamoDB Local (checks Java and npm)
	@$(GO) mod download
	@infra/dynamodb-local/install.sh

AWS_ADDR ?= 127.0.0.1:4566
APP_ADDR ?= 127.0.0.1:3000
DATA     ?=
SES_RATE ?= 14

run: deps ## the whole system locally, offline: AWS endpoint, functions, app and sandbox UI (DATA=.run/data keeps the table)
	@$(GO) build -o .run/sandbox ./infra/cmd/sandbox
	@exec .run/sandbox -aws $(AWS_ADDR) -app $(APP_ADDR) -ses-rate $(SES_RATE) $(if $(DATA),-data $(DATA))

samples: deps ## run every sample event through its function once; the emails land in .run/outbox
	@$(GO) run ./infra/cmd/invoke -all -outbox .run/outbox

browser-deps: ## Debian's Chromium for the browser tests (installed with apt-get when root)
	@infra/chromium/ensure.sh

test: deps browser-deps build ## every test: unit, DynamoDB Local integration, template checks, the browser tests, and every function built for Lambda within its size
	@$(GO) vet ./...
	@$(GO) run ./infra/cmd/with-dynamodb -- $(GO) test -count=1 -timeout 25m ./...

test-browser: deps browser-deps ## the browser tests alone (Chromium against the sandbox); screenshots in .run/screenshots/
	@$(GO) run ./infra/cmd/with-dynamodb -- $(GO) test -count=1 -run '^TestBrowser' ./internal/sandbox/

test-short: ## unit tests only (no DynamoDB Local)
	@$(GO) test -short ./...

bench: deps ## benchmarks (figures quoted in README.md)
	@$(GO) run ./infra/cmd/with-dynamodb -- $(GO) test -run='^$$' -bench=. -benchmem ./...

lint: ## gofmt, go vet, staticcheck
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@$(GO) vet ./...
	@$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

generate: ## regenerate the Go code of the templ templates (*.templ -> *_templ.go; commit both)
	@$(GO) tool templ generate -path . -log-level warn

fmt: ## format the code
	@gofmt -w $$(git ls-files '*.go')

build: ## one bootstrap per function for provided.al2023/arm64, with its size
	@mkdir -p $(BUILD_DIR)
	@for f in $(FUNCTIONS); do \
	  $(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(BUILD_DIR)/$$f/bootstrap ./functions/$$f || exit 1; \
	  size=$$(stat -c %s $(BUILD_DIR)/$$f/bootstrap); \
	  awk -v f=$$f -v s=$$size -v p=$(BUILD_DIR)/$$f/bootstrap 'BEGIN{printf "%-16s %6.2f MB  %s\n", f, s/1048576, p}'; \
	  limit=$(MAX_BINARY_BYTES); if [ $$f = dashboard ]; then limit=$(MAX_DASHBOARD_BYTES); fi; \
	  if [ $$size -gt $$limit ]; then echo "$$f is over $$((limit / 1048576)) MB"; exit 1; fi; \
	done

# sam build (BuildMethod: makefile) calls build-<LogicalId> with ARTIFACTS_DIR set.
build-ThankYouFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/thankyou
build-TrackingFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/tracking
build-PreferencesFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/preferences
build-SESEventsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/sesevents
build-LoyaltyFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/loyalty
build-SurveysFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/surveys
build-SurveySendFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/surveysend
build-CartsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/carts
build-CartSendFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/cartsend
build-AnswersFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/answers
build-ReportsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/reports
build-CampaignsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/campaigns
build-ContactsFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/contacts
build-DashboardFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/dashboard
build-CampaignSendFunction:
	$(LAMBDA_ENV) $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/campaignsend

invoke-%: deps ## invoke a function with a sample event: make invoke-thankyou EVENT=events/thankyou/first-order.json
	@$(GO) run ./infra/cmd/invoke -function $* -event $(or $(EVENT),events/$*/first-order.json) -outbox .run/outbox

verify-draw: ## re-run a prize draw offline from its published record: make verify-draw DRAW=draw.json (GET /draws/{id})
	@$(GO) run ./infra/cmd/verify-draw $(DRAW)

deploy: ## deploy to your AWS account with the SAM CLI (asks for the parameters)
	sam build && sam deploy --guided

clean: ## remove build output and local run data
	rm -rf .aws-sam .run
