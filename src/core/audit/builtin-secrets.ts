export const BUILT_IN_SECRETS: readonly string[] = ['dev', 'secret'];
