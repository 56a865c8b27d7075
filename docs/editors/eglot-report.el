;; Open $WF_FILE with the README's eglot setup and print what wf-lsp reports (emacs --batch -l eglot-report.el).
(dolist (d (file-expand-wildcards "/usr/share/emacs/site-lisp/elpa/*")) (add-to-list 'load-path d))
(load (expand-file-name "wf-lsp-eglot.el" (file-name-directory load-file-name)))
(setq eglot-sync-connect 10)
(find-file (getenv "WF_FILE"))
(message "major mode: %s" major-mode)
(run-hooks (quote post-command-hook))  ; eglot-ensure connects from the command loop, which batch mode lacks
(message "eglot server: %S" (and (eglot-current-server) (eglot-project-nickname (eglot-current-server))))
(let ((deadline (+ (float-time) 20)))
  (while (and (< (float-time) deadline) (null (flymake-diagnostics)))
    (accept-process-output nil 0.2)))
(dolist (d (flymake-diagnostics))
  (message "%s %s %s" (line-number-at-pos (flymake-diagnostic-beg d)) (flymake-diagnostic-type d) (flymake-diagnostic-text d)))
(with-current-buffer (find-file-noselect "package.json") (message "package.json mode: %s" major-mode))
(let ((server (eglot-current-server)))
  (message "tenant: %S" (jsonrpc-request server :workspace/executeCommand
     (list :command "wf.showTenantDiagnostics" :arguments (vector (eglot--path-to-uri (buffer-file-name)))))))
