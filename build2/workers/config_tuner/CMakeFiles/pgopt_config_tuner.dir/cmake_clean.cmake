file(REMOVE_RECURSE
  "CMakeFiles/pgopt_config_tuner.dir/config_tuner.c.o"
  "CMakeFiles/pgopt_config_tuner.dir/config_tuner.c.o.d"
  "CMakeFiles/pgopt_config_tuner.dir/ct_pools.c.o"
  "CMakeFiles/pgopt_config_tuner.dir/ct_pools.c.o.d"
  "CMakeFiles/pgopt_config_tuner.dir/ct_script.c.o"
  "CMakeFiles/pgopt_config_tuner.dir/ct_script.c.o.d"
  "CMakeFiles/pgopt_config_tuner.dir/ct_util.c.o"
  "CMakeFiles/pgopt_config_tuner.dir/ct_util.c.o.d"
  "CMakeFiles/pgopt_config_tuner.dir/ct_vacuum.c.o"
  "CMakeFiles/pgopt_config_tuner.dir/ct_vacuum.c.o.d"
  "CMakeFiles/pgopt_config_tuner.dir/pgtune.c.o"
  "CMakeFiles/pgopt_config_tuner.dir/pgtune.c.o.d"
  "CMakeFiles/pgopt_config_tuner.dir/sqla_engines.c.o"
  "CMakeFiles/pgopt_config_tuner.dir/sqla_engines.c.o.d"
  "libpgopt_config_tuner.a"
  "libpgopt_config_tuner.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/pgopt_config_tuner.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
