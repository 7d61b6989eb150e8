;;; eglot_hover.el --- a hover through eglot in batch Emacs, as a user's config sets it up  -*- lexical-binding: t -*-
;;
;; Run by tests/editors/test_emacs.py after the README's eglot snippet (the user's init file):
;;   emacs --batch -l init.el -l eglot_hover.el
;; Environment: EG_FILE (the Python file to visit), EG_LINE (1-based), EG_COL (0-based),
;; EG_OUT (JSON written there), EG_TIMEOUT (seconds).
(require 'json)
(require 'eglot)  ; what the first `M-x eglot' or `eglot-ensure' autoloads

(defvar eg-result nil)

(defun eg-finish (code)
  (with-temp-file (getenv "EG_OUT") (insert (json-encode eg-result)))
  (ignore-errors (eglot-shutdown (eglot-current-server)))
  (kill-emacs code))

(defun eg-run ()
  (let ((timeout (string-to-number (or (getenv "EG_TIMEOUT") "30"))))
    (find-file (getenv "EG_FILE"))  ; python-mode, and the snippet's hook runs `eglot-ensure'
    (push (cons 'mode (symbol-name major-mode)) eg-result)
    (push (cons 'emacs emacs-version) eg-result)
    (push (cons 'eglot (locate-library "eglot")) eg-result)
    ;; `eglot-ensure' connects after the command that visited the file: run that hook here.
    (run-hooks 'post-command-hook)
    (with-timeout (timeout (push '(error . "eglot did not connect") eg-result) (eg-finish 3))
      (while (not (and (eglot-current-server) eglot--managed-mode))
        (accept-process-output nil 0.05)))
    (let ((server (eglot-current-server)))
      (push (cons 'server (process-command (jsonrpc--process server))) eg-result)
      (push (cons 'root (project-root (eglot--project server))) eg-result)
      (goto-char (point-min))
      (forward-line (1- (string-to-number (getenv "EG_LINE"))))
      (forward-char (string-to-number (getenv "EG_COL")))
      ;; The request eglot's eldoc hover makes, and the text eglot makes of the answer.
      (let* ((answer (jsonrpc-request server :textDocument/hover
                                      (eglot--TextDocumentPositionParams)))
             (contents (plist-get answer :contents)))
        (push (cons 'kind (plist-get contents :kind)) eg-result)
        (push (cons 'value (plist-get contents :value)) eg-result)
        (push (cons 'shown (eglot--hover-info contents (plist-get answer :range))) eg-result)))
    (eg-finish 0)))

(condition-case err
    (eg-run)
  (error (push (cons 'error (format "%S" err)) eg-result)
         (eg-finish 8)))
;;; eglot_hover.el ends here
