/* SPDX-License-Identifier: MIT */
/* The one main() of every unit-test program (see tharness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/tharness.h"

uint64_t ims_test_seed(uint64_t dflt)
{
	const char *s = getenv("IMS_TEST_SEED");
	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

uint64_t ims_test_rand(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

int main(int argc, char **argv)
{
	Suite *s = ims_test_suite();
	SRunner *sr = srunner_create(s);
	const char *name = argc > 0 ? strrchr(argv[0], '/') : NULL;
	name = name ? name + 1 : (argc > 0 ? argv[0] : "unit");
	/* No fork: sanitizers and LeakSanitizer see the whole run, and a crash
	 * fails the program, which tests/run.sh counts. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, getenv("CK_VERBOSITY") ? CK_ENV : CK_NORMAL);
	int run = srunner_ntests_run(sr);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	printf("RESULT %s %d %d\n", name, run - failed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
