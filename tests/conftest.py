def pytest_addoption(parser):
    parser.addoption("--fuzz-cases", type=int, default=None,
                     help="number of random graphs tests/test_fuzz.py checks (default: env "
                          "TINYGRAD_SM_FUZZ_CASES, else 60)")
