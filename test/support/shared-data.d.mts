export const REPO_ROOT: string;
export function sharedDataDir(root?: string): string;
export function sharedDataNotice(root?: string): string | null;
