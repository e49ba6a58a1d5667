// What verify.ts tells the smoke suite through the extension host's environment.

/** The extensions folder the .vsix was installed into. */
export const INSTALLED_EXTENSIONS_DIR_ENV = 'STC_PACKAGE_EXTENSIONS_DIR';
