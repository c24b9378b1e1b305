" tamp recipes and hardware target specs. `set filetype` rather than `setfiletype`: Vim's own filetype.vim already
" claims `*.recipe` for Conary recipes.
autocmd BufRead,BufNewFile *.recipe,*.target set filetype=tamp
