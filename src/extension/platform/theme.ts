import { devtoolsApi } from './devtools-api';

export type PanelTheme = 'light' | 'dark';

interface ThemeApiLike {
  themeName?: string;
  /** Chromium: called with the new theme name when the user switches DevTools' theme. */
  setThemeChangeHandler?: (handler: (themeName: string) => void) => void;
  /** Firefox: the same as an event. */
  onThemeChanged?: { addListener(listener: (themeName: string) => void): void };
}

export function themeFromName(themeName: string | undefined): PanelTheme {
  return themeName === 'dark' ? 'dark' : 'light';
}

/**
 * Follows DevTools' theme (`devtools.panels.themeName`: "default"/"light" or "dark") by setting
 * `data-theme="light|dark"` on `root`; the stylesheet does the rest.
 */
export function followDevtoolsTheme(root: HTMLElement = document.documentElement): PanelTheme {
  let panels: ThemeApiLike | undefined;
  try {
    panels = devtoolsApi().panels as ThemeApiLike;
  } catch {
    panels = undefined;
  }
  const apply = (name: string | undefined) => {
    const theme = themeFromName(name);
    root.dataset.theme = theme;
    return theme;
  };
  if (typeof panels?.setThemeChangeHandler === 'function') panels.setThemeChangeHandler((name) => apply(name));
  else if (typeof panels?.onThemeChanged?.addListener === 'function') panels.onThemeChanged.addListener((name) => apply(name));
  return apply(panels?.themeName);
}
