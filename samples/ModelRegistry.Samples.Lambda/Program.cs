// Placeholder entry point until the provider packages land; replaced by the full wiring.
return 0;
