;; the README's setup, with js-mode (Emacs 28; Emacs 29+ has js-json-mode)
(require 'eglot)
(defun wf-lsp-workflow-p ()
  "Non-nil in a .json/.jsonc file whose text mentions \"nodes\" or \"connections\" (how wf-lsp finds workflows)."
  (and buffer-file-name
       (string-match-p "\\.jsonc?\\'" buffer-file-name)
       (save-excursion (goto-char (point-min)) (re-search-forward "\"\\(nodes\\|connections\\)\"" 200000 t))))
(define-derived-mode wf-json-mode js-mode "WF-JSON" "Workflow JSON, checked by wf-lsp.")
(add-to-list 'magic-mode-alist '(wf-lsp-workflow-p . wf-json-mode))
(add-to-list 'eglot-server-programs '(wf-json-mode . ("wf-lsp" "serve")))
(add-hook 'wf-json-mode-hook #'eglot-ensure)
