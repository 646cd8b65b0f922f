import { Testing } from "cdktf";
// Brings the global type declarations of cdktf's matchers (toHaveResourceWithProperties, ...) into
// the program, so every test file type-checks without importing them itself.
import "cdktf/lib/testing/adapters/jest";

Testing.setupJest();
