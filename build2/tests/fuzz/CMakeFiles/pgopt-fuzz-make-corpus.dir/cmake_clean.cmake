file(REMOVE_RECURSE
  "../../bin/pgopt-fuzz-make-corpus"
  "../../bin/pgopt-fuzz-make-corpus.pdb"
  "CMakeFiles/pgopt-fuzz-make-corpus.dir/__/__/bench/synth_snapshot.c.o"
  "CMakeFiles/pgopt-fuzz-make-corpus.dir/__/__/bench/synth_snapshot.c.o.d"
  "CMakeFiles/pgopt-fuzz-make-corpus.dir/make_corpus.c.o"
  "CMakeFiles/pgopt-fuzz-make-corpus.dir/make_corpus.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt-fuzz-make-corpus.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
