package chat

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kefu-dev/kefu/internal/kefu"
	"github.com/kefu-dev/kefu/internal/ticket"
)

//go:embed widget.js
var widgetJS []byte

// widgetGz is widget.js compressed once at start; most browsers take it.
var widgetGz = func() []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(widgetJS)
	_ = zw.Close()
	return b.Bytes()
}()

// WidgetSize reports the widget's size as served: plain and gzipped bytes.
func WidgetSize() (plain, gzipped int) { return len(widgetJS), len(widgetGz) }

// Register adds the chat's public routes: the widget script, the visitor
// websocket, uploads and file links, and (in demo mode) the demo shop page.
func (s *Service) Register(mux *http.ServeMux, wrap func(string, http.Handler) http.Handler) {
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, wrap(pattern, h)) }
	handle("GET /widget.js", s.serveWidget)
	handle("GET /chat/ws", s.serveWS)
	handle("POST /chat/upload", s.serveUpload)
	handle("GET /chat/files/{id}", s.serveFile)
	if s.Demo {
		handle("GET /demo/shop", s.serveDemoShop)
		handle("GET /demo/shop-user.js", s.serveDemoUser)
	}
}

func (s *Service) serveWidget(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Vary", "Accept-Encoding")
	body := widgetJS
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		h.Set("Content-Encoding", "gzip")
		body = widgetGz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = rw.Write(body)
}

// cors lets the shop's pages (on the channel's allow-list) read the answer.
func cors(rw http.ResponseWriter, r *http.Request) {
	if o := r.Header.Get("Origin"); o != "" {
		rw.Header().Set("Access-Control-Allow-Origin", o)
		rw.Header().Add("Vary", "Origin")
	}
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}

// serveUpload is POST /chat/upload: a visitor's message with one file
// (multipart: channel, token, cid, body, file). It goes through the same
// path as a websocket message: committed, then acknowledged with its
// sequence number; the same cid twice stores it once.
func (s *Service) serveUpload(rw http.ResponseWriter, r *http.Request) {
	ch, err := s.channel(r.Context(), r.URL.Query().Get("channel"))
	if err != nil {
		writeJSON(rw, http.StatusNotFound, reply{T: "error", Code: "not_found", Message: "unknown chat channel"})
		return
	}
	if !originAllowed(ch, r) {
		writeJSON(rw, http.StatusForbidden, reply{T: "error", Code: "origin", Message: "this site may not use this chat channel"})
		return
	}
	cors(rw, r)
	maxBytes := int64(ch.MaxUploadMB) << 20
	r.Body = http.MaxBytesReader(rw, r.Body, maxBytes+64<<10)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		writeJSON(rw, http.StatusRequestEntityTooLarge, reply{T: "error", Code: "file_too_large", Limit: maxBytes, Message: "the file is larger than the limit"})
		return
	}
	defer r.MultipartForm.RemoveAll()
	v := &Visitor{Channel: ch, VisitorID: s.checkVisitorToken(r.Context(), ch.ID, r.FormValue("token")), Language: lang(r.FormValue("lang"), ch.Language)}
	if v.VisitorID == "" {
		writeJSON(rw, http.StatusUnauthorized, reply{T: "error", Code: "token", Message: "connect to the chat first"})
		return
	}
	_ = json.Unmarshal([]byte(r.FormValue("profile")), &v.Profile)
	var id Identity
	if json.Unmarshal([]byte(r.FormValue("user")), &id) == nil && id.verify(ch, time.Now()) {
		v.Identity = &id
	}
	in := Incoming{CID: r.FormValue("cid"), Body: r.FormValue("body")}
	if fhs := r.MultipartForm.File["file"]; len(fhs) > 0 {
		fh := fhs[0]
		f, err := fh.Open()
		if err == nil {
			data, rerr := io.ReadAll(f)
			f.Close()
			err = rerr
			in.Files = []ticket.Upload{{Filename: fh.Filename, Data: data}}
		}
		if err != nil {
			writeJSON(rw, http.StatusBadRequest, reply{T: "error", Code: "invalid", Message: "unreadable upload"})
			return
		}
	}
	seq, _, err := s.Send(r.Context(), v, in)
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, ErrLimited):
			status = http.StatusTooManyRequests
		case errors.Is(err, kefu.ErrInvalid):
			status = http.StatusUnprocessableEntity
		}
		if status == http.StatusInternalServerError {
			s.log.Error("chat upload", "err", err)
		}
		writeJSON(rw, status, errorReply(in.CID, err))
		return
	}
	writeJSON(rw, http.StatusOK, reply{T: "ack", CID: in.CID, Seq: seq})
}

// serveFile is GET /chat/files/{id}?c=CONV&s=SIG: a file of a conversation,
// for the visitor's browser, through a link only the conversation was given.
func (s *Service) serveFile(rw http.ResponseWriter, r *http.Request) {
	id, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	conv, err2 := strconv.ParseInt(r.URL.Query().Get("c"), 10, 64)
	if err1 != nil || err2 != nil || r.URL.Query().Get("s") != s.fileSig(r.Context(), conv, id) {
		http.NotFound(rw, r)
		return
	}
	att, ticketID, err := s.st.Attachment(r.Context(), id)
	if err != nil {
		http.NotFound(rw, r)
		return
	}
	if c, err := s.st.ConversationByTicket(r.Context(), ticketID); err != nil || c.ID != conv {
		http.NotFound(rw, r)
		return
	}
	data, err := s.st.Blob(r.Context(), att.SHA256)
	if err != nil {
		http.Error(rw, "cannot read the file", http.StatusInternalServerError)
		return
	}
	disp := "attachment"
	if strings.HasPrefix(att.ContentType, "image/") && !strings.Contains(att.ContentType, "svg") {
		disp = "inline"
	}
	h := rw.Header()
	h.Set("Content-Type", att.ContentType)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": att.Filename}))
	h.Set("Cache-Control", "private, max-age=86400")
	_, _ = rw.Write(data)
}
