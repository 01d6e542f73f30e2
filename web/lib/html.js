// One place that binds htm to Preact, so views import `html` and hooks from here.
// Preact renders every interpolated string as a text node: user text never becomes HTML.
import { h, render, Fragment, createContext } from "../vendor/preact.mjs";
import {
  useState, useEffect, useRef, useMemo, useCallback, useContext, useReducer,
} from "../vendor/preact-hooks.mjs";
import htm from "../vendor/htm.mjs";

export const html = htm.bind(h);
export {
  h, render, Fragment, createContext,
  useState, useEffect, useRef, useMemo, useCallback, useContext, useReducer,
};
