package sandbox

// SQS's query protocol (API version 2012-11-05): form-encoded requests, XML answers, as the
// SQS API reference and "Interpreting Amazon SQS XML API responses" show them.

import (
	"encoding/xml"
	"fmt"
	"mime"
	"net/http"
	"strconv"
)

const sqsXMLNamespace = "http://queue.amazonaws.com/doc/2012-11-05/"

// isForm reports whether r carries a form-encoded body.
func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && mt == "application/x-www-form-urlencoded"
}

type sqsResponseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type sendMessageResponse struct {
	XMLName xml.Name `xml:"SendMessageResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Result  struct {
		MessageID        string `xml:"MessageId"`
		MD5OfMessageBody string
	} `xml:"SendMessageResult"`
	ResponseMetadata sqsResponseMetadata
}

type sqsErrorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type, Code, Message string
		Detail              struct{}
	}
	RequestID string `xml:"RequestId"`
}

// serveSQSQuery serves SendMessage over the query protocol.
func (s *Sandbox) serveSQSQuery(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 3*maxSQSMessage)
	if err := r.ParseForm(); err != nil {
		writeSQSXMLError(w, sqsSenderError("InvalidParameterValue", "malformed request: "+err.Error()))
		return
	}
	f := r.PostForm
	switch action := f.Get("Action"); {
	case action == "":
		writeSQSXMLError(w, sqsSenderError("MissingAction", "The request must contain the parameter Action."))
		return
	case action != "SendMessage":
		writeSQSXMLError(w, sqsSenderError("InvalidAction", fmt.Sprintf("The action %s is not valid for this endpoint (the sandbox serves SendMessage).", action)))
		return
	case f.Get("Version") != "" && f.Get("Version") != "2012-11-05":
		writeSQSXMLError(w, sqsSenderError("InvalidParameterValue", "Version must be 2012-11-05."))
		return
	}
	in := sqsInput{QueueURL: f.Get("QueueUrl"), MessageBody: f.Get("MessageBody"),
		MessageAttributes: map[string]sqsAttribute{}}
	// MessageAttribute.N.Name, .Value.DataType, .Value.StringValue, N from 1.
	for n := 1; f.Has("MessageAttribute." + strconv.Itoa(n) + ".Name"); n++ {
		p := "MessageAttribute." + strconv.Itoa(n) + "."
		in.MessageAttributes[f.Get(p+"Name")] = sqsAttribute{DataType: f.Get(p + "Value.DataType"), StringValue: f.Get(p + "Value.StringValue")}
	}
	id, md5sum, e := s.sendMessage(in)
	if e != nil {
		writeSQSXMLError(w, e)
		return
	}
	out := sendMessageResponse{Xmlns: sqsXMLNamespace, ResponseMetadata: sqsResponseMetadata{newUUID()}}
	out.Result.MessageID, out.Result.MD5OfMessageBody = id, md5sum
	writeXML(w, http.StatusOK, out)
}

// writeSQSXMLError answers with e as the query protocol reports errors.
func writeSQSXMLError(w http.ResponseWriter, e *sqsError) {
	out := sqsErrorResponse{Xmlns: sqsXMLNamespace, RequestID: newUUID()}
	out.Error.Type, out.Error.Code, out.Error.Message = e.fault, e.queryCode, e.message
	writeXML(w, http.StatusBadRequest, out)
}

func writeXML(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(v)
}
