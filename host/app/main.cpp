#include "cli.h"

int main(int argc, char** argv) { return mltemp::cli_main(argc, argv); }
